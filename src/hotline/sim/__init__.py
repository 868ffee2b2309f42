"""The digital twin: the real engine on a virtual clock against simulated traffic."""
