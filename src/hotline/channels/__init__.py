"""Channel adapters (shell): the telephony port, its simulated switch, the Asterisk ARI
adapter, and the IVR call shell.

`telephony.TelephonyPort` is the seam for a switch: `telephony_sim` simulates one, and
`telephony_ari` drives Asterisk over ARI around the pure state machine `ari_adapter.AriCore`
(dialling in `ari_dial`, state types in `ari_state`, the HTTP and event-stream client in
`ari_client`). `ivr_session.run_call` walks one call through the pure IVR interpreter,
performing its actions on the telephony port, the banking port and the routing engine.
"""
