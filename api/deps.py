"""Names under which handlers receive what the app factory provides."""

from litestar.di import NamedDependency

from api.auth import Principal
from api.documents import Documents
from api.emails import Emails
from api.handouts import Handouts
from api.observability import Metrics
from api.settings import Settings
from content.editorial import Editorial

DocumentsDep = NamedDependency[Documents]
SettingsDep = NamedDependency[Settings]
EmailsDep = NamedDependency[Emails]
EditorialDep = NamedDependency[Editorial]
PrincipalDep = NamedDependency[Principal]
HandoutsDep = NamedDependency[Handouts]
MetricsDep = NamedDependency[Metrics]
