"""History charts, the therapist PDF report and CSV/JSON export of the raw numbers (matplotlib, no Qt).

* ``charts``: one function per chart, each drawing on a ``matplotlib.figure.Figure`` it returns
  (render offscreen with ``FigureCanvasAgg``, or embed with matplotlib's QtAgg canvas).
* ``pdf``: ``write_report(db, profile_id, out, start, end)``.
* ``export``: ``export_csv`` / ``export_json`` of a profile's numbers for a period.
"""
