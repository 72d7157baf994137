"""The Administrative Center's models, one module per subdomain; every name is importable
from ``documents.models`` as before."""

from documents.models.drafting import (  # noqa: F401
    DraftingTask,
    DraftingVersion,
    InfoIssue,
    InfoItem,
    InfoPoints,
    Material,
)
from documents.models.incoming import (  # noqa: F401
    Circulation,
    Incoming,
    IncomingCounter,
    Instruction,
)
from documents.models.legal import (  # noqa: F401
    Contract,
    ContractKind,
    ContractReview,
    Counsel,
    Hearing,
    LegalCase,
    LegalQuestion,
    ReviewOpinion,
    ReviewVersion,
)
from documents.models.outgoing import (  # noqa: F401
    CLASSIFIED,
    DEFAULT_RETENTION,
    DOC_TYPE_ZH,
    UPWARD_TYPES,
    Authority,
    Dispatch,
    DocType,
    GazetteEntry,
    GazetteIssue,
    NumberCounter,
    Outgoing,
    OutgoingUserObjectPermission,
    PrintRun,
    RetentionRule,
    Security,
    Urgency,
    Version,
)
from documents.models.seals import (  # noqa: F401
    Seal,
    SealLoan,
    SealUse,
)
