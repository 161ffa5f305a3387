"""The domain's decisions: for each command, the new order and the effects to perform.

Every function here is pure. It validates its input (raising an :mod:`orderflow.errors` error
before anything is built), and returns the new order with its new effects queued on its outbox.
The desk saves that order (one write) and the executor performs the effects.
"""
