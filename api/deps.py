"""Names under which handlers receive what the app factory provides."""

from litestar.di import NamedDependency

from api.auth import Principal
from api.chart import Chart
from api.egress import EgressPolicy
from api.exports import Exports
from api.locales import Wanted
from api.metrics import Metrics
from api.reader import Reader
from api.settings import Settings
from api.webhooks import Webhooks
from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.communications import Communications
from content.editorial import Editorial
from content.media import MediaLibrary

ReaderDep = NamedDependency[Reader]
SettingsDep = NamedDependency[Settings]
EditorialDep = NamedDependency[Editorial]
EgressDep = NamedDependency[EgressPolicy]
PrincipalDep = NamedDependency[Principal]
ExportsDep = NamedDependency[Exports]
MetricsDep = NamedDependency[Metrics]
WantedDep = NamedDependency[Wanted]
ChartDep = NamedDependency[Chart]
WebhooksDep = NamedDependency[Webhooks]
TokensDep = NamedDependency[Tokens]
SessionsDep = NamedDependency[Sessions]
AuditLogDep = NamedDependency[AuditLog]
CommunicationsDep = NamedDependency[Communications]
MediaDep = NamedDependency[MediaLibrary]
