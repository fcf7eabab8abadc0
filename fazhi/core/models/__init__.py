from .audit import ChainHead, Event
from .tenancy import Agency, Committee, Department, Membership, Subdistrict

__all__ = ["Agency", "ChainHead", "Committee", "Department", "Event", "Membership", "Subdistrict"]
