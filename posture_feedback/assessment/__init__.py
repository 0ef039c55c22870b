"""Initial evaluation: posture screen, range-of-motion tests, movement screen, with uncertainty and MDC."""
