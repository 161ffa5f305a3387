"""The pure domain: values, statuses and the machine, money and tax, and the commands.

Nothing here does I/O or reads a clock; every business rule of orderflow is in this package.
"""
