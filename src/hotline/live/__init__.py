"""The engine in real time: the asyncio clock, the live centre and the demo's simulated floor."""
