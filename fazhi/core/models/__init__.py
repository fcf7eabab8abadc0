from .agency_settings import AgencySetting
from .audit import ChainHead, Event
from .numbering import IssuedNumber, NumberSeries
from .tenancy import Agency, Committee, Department, Membership, Subdistrict

__all__ = [
    "Agency",
    "AgencySetting",
    "ChainHead",
    "Committee",
    "Department",
    "Event",
    "IssuedNumber",
    "Membership",
    "NumberSeries",
    "Subdistrict",
]
