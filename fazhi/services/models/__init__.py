from fazhi.services.models.appointments import Appointment, AppointmentSlot
from fazhi.services.models.cases import ApplicantKind, CaseChannel, ServiceCase
from fazhi.services.models.centers import CenterItem, ServiceCenter
from fazhi.services.models.powers import (
    MATERIAL_FORMS,
    Power,
    PowerKind,
    PowerList,
    ServiceGuide,
    ServiceItem,
)
from fazhi.services.models.ratings import (
    BAD_LEVELS,
    GOOD_LEVELS,
    BadReviewFollowUp,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLevel,
    RatingToken,
)

__all__ = [
    "BAD_LEVELS",
    "GOOD_LEVELS",
    "MATERIAL_FORMS",
    "ApplicantKind",
    "Appointment",
    "AppointmentSlot",
    "BadReviewFollowUp",
    "CaseChannel",
    "CenterItem",
    "Power",
    "PowerKind",
    "PowerList",
    "Rating",
    "RatingAppeal",
    "RatingChannel",
    "RatingLevel",
    "RatingToken",
    "ServiceCase",
    "ServiceCenter",
    "ServiceGuide",
    "ServiceItem",
]
