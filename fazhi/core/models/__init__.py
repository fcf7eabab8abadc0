from .agency_settings import AgencySetting
from .audit import ChainHead, Event
from .numbering import IssuedNumber, NumberSeries
from .tenancy import Agency, Committee, Department, Membership, Subdistrict
from .workflow import Countersign, CountersignOpinion

__all__ = [
    "Agency",
    "AgencySetting",
    "ChainHead",
    "Committee",
    "Countersign",
    "CountersignOpinion",
    "Department",
    "Event",
    "IssuedNumber",
    "Membership",
    "NumberSeries",
    "Subdistrict",
]
