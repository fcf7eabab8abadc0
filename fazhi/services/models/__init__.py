from fazhi.services.models.powers import (
    MATERIAL_FORMS,
    Power,
    PowerKind,
    PowerList,
    ServiceGuide,
    ServiceItem,
)

__all__ = ["MATERIAL_FORMS", "Power", "PowerKind", "PowerList", "ServiceGuide", "ServiceItem"]
