"""The Service Center's models, one module per subdomain; every name is importable from
``reception.models`` as before."""

from reception.models.activities import (  # noqa: F401
    Activity,
    ActivityBooking,
    ActivityTask,
)
from reception.models.bookings import (  # noqa: F401
    Blackout,
    Booking,
    Resource,
    Series,
)
from reception.models.cases import (  # noqa: F401
    Case,
    CaseAttachment,
    CaseCategory,
    CaseCategoryAttribute,
    CaseClock,
    CaseComplainant,
    CaseEvent,
    CaseExtension,
    CaseNotice,
    CaseOpinion,
    CaseProposal,
    Open311Key,
    Open311Request,
    ProposalFeedback,
)
from reception.models.incidents import (  # noqa: F401
    Incident,
    IncidentEntry,
    IncidentKind,
    IncidentLevel,
    IncidentNotice,
    IncidentTier,
)
from reception.models.visits import (  # noqa: F401
    ItineraryItem,
    ReceptionStandard,
    Visit,
    VisitLevel,
)
from reception.models.watch import (  # noqa: F401
    DutyFeed,
    DutyShift,
    DutySwap,
    Handover,
    Leader,
    ScheduleEntry,
)
