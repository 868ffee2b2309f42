"""The pure routing core: contacts, agents, queues, workflows, reservations and the engine."""
