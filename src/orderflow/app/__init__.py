"""The application layer: the desk (a thin façade), its command handlers and the executor."""
