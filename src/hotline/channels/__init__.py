"""Channel adapters (shell): telephony port and its simulated adapter, and the IVR call shell.

`telephony.TelephonyPort` is the seam for a switch (the simulated adapter here, Asterisk ARI
later); `ivr_session.run_call` walks one call through the pure IVR interpreter, performing
its actions on the telephony port, the banking port and the routing engine.
"""
