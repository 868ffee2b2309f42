"""Core-banking port and sandbox ledger (pure).

`port.BankingPort` is the seam where a bank plugs in its real core system; `sandbox.SandboxBank`
is the in-package implementation used by tests, the twin and the demo; `desk.AgentDesk` performs
transactions on behalf of a verified caller, with dual control above a threshold.
Money is always an integer number of fen (minor units), never a float.
"""
