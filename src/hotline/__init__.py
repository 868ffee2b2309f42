"""Hotline: an open contact-centre platform for a bank's customer-service hotline."""

__version__ = "0.1.0"
