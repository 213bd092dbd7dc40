"""Who may do what: organisation kind × URL name × method → the expected status class.

Columns: one organisation of each kind of the scene (tests.config.tenants), anonymous, and the back
office (a superuser without organisation). Cells:
- ok     2xx, or a redirect somewhere other than the login page (a form re-shown, a download, ...)
- login  the redirect to the login page (pages, anonymous)
- 401    the API without credentials
- 403    signed in, but the kind may not open it
- 404    the object (side "a" of the scene) is not visible to the viewer
- 400    the empty POST is refused as invalid
- 405    the method is not offered
A row with one cell gives it to every column. The objects of the URLs are those of side "a": a
樊城区 residential elevator of pm_fancheng, maintained by maint, insured by insurer_a.
API rows are "api:<name>"; the router's ".<format>" twin of a route follows its plain route's row.
POST rows use an empty body.
"""

COLUMNS = (
    "city",
    "district",
    "housing",
    "finance",
    "nfra",
    "insurer_a",
    "pm_fancheng",
    "maint",
    "anonymous",
    "backoffice",
)

# What the walk leaves out, by path prefix, and why.
EXCLUDED = {
    "admin/": "Django's admin: staff only, guarded by the admin site itself, not a page of the portal",
    "i18n/": "Django's set_language view: switches the language of whoever asks, no data",
    "jsi18n/": "Django's JavaScript catalogue: the same translations for everyone, no data",
    "api/schema/": "the OpenAPI schema (drf-spectacular): describes the API, holds no data",
    "api/docs/": "Swagger UI page over the schema, no data",
    "api/redoc/": "ReDoc page over the schema, no data",
    "^media/": "DEBUG-only static serving of uploads; never mounted in production (files go through views)",
}

# Where an empty POST may answer 2xx/redirect, the columns for which that is a write they may make
# (or a harmless re-shown form); anywhere else "ok" on a POST row fails the suite.
WRITERS_ONLY_2XX: dict[str, tuple[str, ...]] = {  # fmt: skip
    "healthz": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "anonymous",
        "backoffice",
    ),
    "api:notice-mark-read": ("insurer_a",),
    "api:claim-proposal-confirm": ("insurer_a",),
    "import-new": ("insurer_a",),
    "import-confirm": ("insurer_a",),
    "import-progress": ("city", "insurer_a", "backoffice"),
    "policy-register": ("pm_fancheng",),
    "policy-renew": ("insurer_a", "pm_fancheng", "backoffice"),
    "policy-cancel": ("insurer_a", "backoffice"),
    "product-create": ("insurer_a",),
    "product-version-create": ("insurer_a",),
    "claim-update": ("insurer_a",),
    "home": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "login": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "anonymous",
        "backoffice",
    ),
    "notice-mark-read": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "password-change": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "two-factor": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "two-factor-backup-codes": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "two-factor-remove": (
        "city",
        "district",
        "housing",
        "finance",
        "nfra",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "reports-run-now": ("city", "backoffice"),
    "report-download": ("city", "housing", "backoffice"),
    "report-preview": ("city", "backoffice"),
    "frozen-month-freeze": ("city", "backoffice"),
    "frozen-month-approve": ("city", "backoffice"),
    "frozen-month-publish": ("city", "backoffice"),
    "coverage-target-set": ("city", "backoffice"),
    "maintenance-record-create": ("maint",),
    "maintenance-record-detail": ("pm_fancheng",),
    "maintenance-company-ranking": ("city", "district", "backoffice"),
    "maintenance-attachment-download": (
        "city",
        "district",
        "housing",
        "insurer_a",
        "pm_fancheng",
        "maint",
        "backoffice",
    ),
    "service-new": ("insurer_a",),
    "hazard-report": ("city", "district", "insurer_a", "maint"),
    "hazard-board": ("city", "district", "backoffice"),
    "rescue-record": ("city", "district", "maint"),
    "claim-proposal-confirm": ("insurer_a",),
    "claim-proposal-decline": ("insurer_a",),
}

TABLE = """
# URL name                             method city  distr secto finan nfra  insur pm    maint anon  back
healthz                                GET    ok
api:organisation-list                  GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:organisation-detail                GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:notice-list                        GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:notice-detail                      GET    404   404   404   404   404   ok    404   404   401   404
api:notice-mark-read                   GET    405   405   405   405   405   405   405   405   401   405
api:elevator-list                      GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:elevator-by-code                   GET    ok    ok    ok    404   ok    ok    ok    ok    401   ok
api:elevator-detail                    GET    ok    ok    ok    404   ok    ok    ok    ok    401   ok
api:elevator-timeline                  GET    ok    ok    ok    404   ok    ok    ok    ok    401   ok
api:inspection-list                    GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:inspection-detail                  GET    ok    ok    ok    404   ok    ok    ok    ok    401   ok
api:claim-list                         GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:claim-bulk                         GET    405   405   405   405   405   405   405   405   401   405
api:claim-detail                       GET    ok    ok    404   404   ok    ok    404   404   401   ok
api:product-list                       GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:product-detail                     GET    ok    ok    ok    ok    ok    ok    ok    404   401   ok
api:product-versions                   GET    ok    ok    ok    ok    ok    ok    ok    404   401   ok
api:quote-list                         GET    405   405   405   405   405   405   405   405   401   405
api:policy-list                        GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:policy-bulk                        GET    405   405   405   405   405   405   405   405   401   405
api:policy-detail                      GET    ok    ok    ok    404   ok    ok    ok    404   401   ok
api:policy-cancel                      GET    405   405   405   405   405   405   405   405   401   405
api:policy-renew                       GET    405   405   405   405   405   405   405   405   401   405
api:coverage-trend-list                GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:coverage-list                      GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:coverage-forecast                  GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:coverage-maintenance               GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:report-run-list                    GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:report-run-detail                  GET    ok    404   ok    404   404   404   404   404   401   ok
api:report-run-download                GET    ok    404   ok    404   404   404   404   404   401   ok
api:rescue-list                        GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:rescue-bulk                        GET    405   405   405   405   405   405   405   405   401   405
api:rescue-detail                      GET    ok    ok    ok    404   404   ok    ok    ok    401   ok
api:claim-proposal-list                GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:claim-proposal-detail              GET    ok    ok    404   404   ok    ok    404   404   401   ok
api:claim-proposal-confirm             GET    405   405   405   405   405   405   405   405   401   405
api:claim-proposal-decline             GET    405   405   405   405   405   405   405   405   401   405
api:hazard-list                        GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:hazard-bulk                        GET    405   405   405   405   405   405   405   405   401   405
api:hazard-detail                      GET    ok    ok    ok    404   404   ok    ok    ok    401   ok
api:hazard-close                       GET    405   405   405   405   405   405   405   405   401   405
api:hazard-rectify                     GET    405   405   405   405   405   405   405   405   401   405
api:service-list                       GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:service-bulk                       GET    405   405   405   405   405   405   405   405   401   405
api:service-detail                     GET    ok    ok    ok    404   ok    ok    ok    ok    401   ok
api:service-attachments                GET    405   405   405   405   405   405   405   405   401   405
api:maintenance-record-list            GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
api:maintenance-record-bulk            GET    405   405   405   405   405   405   405   405   401   405
api:maintenance-record-detail          GET    ok    ok    ok    404   404   ok    ok    ok    401   ok
api:maintenance-record-confirm         GET    405   405   405   405   405   405   405   405   401   405
api:maintenance-record-review          GET    405   405   405   405   405   405   405   405   401   405
api:api-root                           GET    ok    ok    ok    ok    ok    ok    ok    ok    401   ok
import-list                            GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
import-new                             GET    403   403   403   403   403   ok    403   403   login 403
import-detail                          GET    ok    404   404   404   404   ok    404   404   login ok
import-confirm                         GET    405   405   405   405   405   405   405   405   login 405
import-progress                        GET    ok    404   404   404   404   ok    404   404   login ok
import-errors                          GET    404   404   404   404   404   404   404   404   login 404
elevator-list                          GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
elevator-export                        GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
elevator-detail                        GET    ok    ok    ok    404   ok    ok    ok    ok    login ok
elevator-card                          GET    ok
elevator-sign                          GET    ok
policy-list                            GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
policy-export                          GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
policy-register                        GET    403   403   403   403   403   403   ok    403   login 403
policy-detail                          GET    ok    ok    ok    404   ok    ok    ok    404   login ok
policy-renew                           GET    405   405   405   405   405   405   405   405   login 405
policy-cancel                          GET    405   405   405   405   405   405   405   405   login 405
product-list                           GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
product-create                         GET    403   403   403   403   403   ok    403   403   login 403
product-detail                         GET    ok    ok    ok    ok    ok    ok    ok    404   login ok
product-version-create                 GET    403   403   403   403   403   ok    403   404   login 403
claim-list                             GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
claim-detail                           GET    ok    ok    404   404   ok    ok    404   404   login ok
claim-update                           GET    403   403   404   404   403   ok    404   404   login 403
home                                   GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
login                                  GET    ok
login-verify                           GET    login
logout                                 GET    405
organisation-list                      GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
notice-list                            GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
notice-mark-read                       GET    405   405   405   405   405   405   405   405   login 405
password-change                        GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
two-factor                             GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
two-factor-backup-codes                GET    405   405   405   405   405   405   405   405   login 405
two-factor-remove                      GET    405   405   405   405   405   405   405   405   login 405
org-user-list                          GET    403   403   403   403   403   403   403   403   login 403
org-user-create                        GET    403   403   403   403   403   403   403   403   login 403
org-user-deactivate                    GET    403   403   403   403   403   403   403   403   login 403
api-key-list                           GET    403   403   403   403   403   403   403   403   login 403
api-key-revoke                         GET    403   403   403   403   403   403   403   403   login 403
coverage-overview                      GET    ok    ok    ok    ok    ok    403   403   403   login ok
coverage-uninsured                     GET    ok    ok    ok    ok    ok    403   403   403   login ok
coverage-uninsured-export              GET    ok    ok    ok    ok    ok    403   403   403   login ok
coverage-insurers                      GET    ok    403   403   403   ok    403   403   403   login ok
coverage-public                        GET    ok
reports                                GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
reports-run-now                        GET    405   405   405   405   405   405   405   405   login 405
report-download                        GET    ok    404   ok    404   404   404   404   404   login ok
report-preview                         GET    ok    403   403   403   403   403   403   403   login ok
frozen-months                          GET    ok    403   403   403   403   403   403   403   login ok
frozen-month-freeze                    GET    405   405   405   405   405   405   405   405   login 405
frozen-month-approve                   GET    405   405   405   405   405   405   405   405   login 405
frozen-month-publish                   GET    405   405   405   405   405   405   405   405   login 405
coverage-target-set                    GET    405   405   405   405   405   405   405   405   login 405
maintenance-record-list                GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
maintenance-record-export              GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
maintenance-record-create              GET    403   403   403   403   403   403   403   ok    login 403
maintenance-record-review-queue        GET    ok    ok    403   403   403   403   403   ok    login ok
maintenance-record-detail              GET    ok    ok    ok    404   404   ok    ok    ok    login ok
maintenance-company-ranking            GET    ok    ok    403   403   403   403   403   403   login ok
maintenance-attachment-download        GET    ok    ok    ok    404   404   ok    ok    ok    login ok
service-list                           GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
service-export                         GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
service-new                            GET    403   403   403   403   403   ok    403   403   login 403
service-detail                         GET    ok    ok    ok    404   ok    ok    ok    ok    login ok
hazard-list                            GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
hazard-export                          GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
hazard-report                          GET    ok    ok    403   403   403   ok    403   ok    login 403
hazard-board                           GET    ok    ok    403   403   403   403   403   403   login ok
hazard-detail                          GET    ok    ok    ok    404   404   ok    ok    ok    login ok
hazard-rectify                         GET    ok    ok    ok    404   404   ok    ok    ok    login ok
hazard-close                           GET    ok    ok    ok    404   404   ok    ok    ok    login ok
rescue-list                            GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
rescue-export                          GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
rescue-record                          GET    ok    ok    403   403   403   403   403   ok    login 403
rescue-board                           GET    ok    ok    403   403   403   403   403   403   login ok
rescue-detail                          GET    ok    ok    ok    404   404   ok    ok    ok    login ok
claim-proposal-list                    GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
claim-proposal-export                  GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
claim-proposal-confirm                 GET    405   405   405   405   405   405   405   405   login 405
claim-proposal-decline                 GET    405   405   405   405   405   405   405   405   login 405
feedback-list                          GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
feedback-export                        GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
feedback-submit                        GET    ok
# the change history of each object (core.views.ObjectHistoryView) and the audit search
audit-search                           GET    ok    403   403   403   403   403   403   403   login ok
elevator-history                       GET    ok    ok    ok    404   ok    ok    ok    ok    login ok
policy-history                         GET    ok    ok    ok    404   ok    ok    ok    404   login ok
product-history                        GET    ok    ok    ok    ok    ok    ok    ok    404   login ok
claim-history                          GET    ok    ok    404   404   ok    ok    404   404   login ok
organisation-history                   GET    ok    ok    ok    ok    ok    ok    ok    ok    login ok
org-user-history                       GET    403   403   403   403   403   403   403   403   login 403
api-key-history                        GET    403   403   403   403   403   403   403   403   login 403
frozen-month-history                   GET    ok    403   403   403   403   403   403   403   login ok
target-history                         GET    ok    403   403   403   403   403   403   403   login ok
maintenance-record-history             GET    ok    ok    ok    404   404   ok    ok    ok    login ok
service-history                        GET    ok    ok    ok    404   ok    ok    ok    ok    login ok
hazard-history                         GET    ok    ok    ok    404   404   ok    ok    ok    login ok
rescue-history                         GET    ok    ok    ok    404   404   ok    ok    ok    login ok
healthz                                POST   ok
api:organisation-list                  POST   403   403   403   403   403   403   403   403   401   403
api:organisation-detail                POST   403   403   403   403   403   403   403   403   401   403
api:notice-list                        POST   405   405   405   405   405   405   405   405   401   405
api:notice-detail                      POST   405   405   405   405   405   405   405   405   401   405
api:notice-mark-read                   POST   404   404   404   404   404   ok    404   404   401   404
api:elevator-list                      POST   400   400   403   403   403   403   403   403   401   400
api:elevator-by-code                   POST   405   405   403   403   403   403   403   403   401   405
api:elevator-detail                    POST   405   405   403   403   403   403   403   403   401   405
api:elevator-timeline                  POST   405   405   403   403   403   403   403   403   401   405
api:inspection-list                    POST   400   400   403   403   403   403   403   403   401   400
api:inspection-detail                  POST   405   405   403   403   403   403   403   403   401   405
api:claim-list                         POST   403   403   403   403   403   400   403   403   401   403
api:claim-bulk                         POST   403   403   403   403   403   400   403   403   401   403
api:claim-detail                       POST   403   403   403   403   403   405   403   403   401   403
api:product-list                       POST   403   403   403   403   403   400   403   403   401   400
api:product-detail                     POST   405   405   405   405   405   405   405   405   401   405
api:product-versions                   POST   403   403   403   403   403   400   403   404   401   400
api:quote-list                         POST   400   400   400   400   400   400   400   400   401   400
api:policy-list                        POST   403   403   403   403   403   400   403   403   401   400
api:policy-bulk                        POST   403   403   403   403   403   400   403   403   401   400
api:policy-detail                      POST   405   405   405   405   405   405   405   405   401   405
api:policy-cancel                      POST   403   403   403   404   403   400   403   404   401   400
api:policy-renew                       POST   403   403   403   404   403   400   400   404   401   400
api:coverage-trend-list                POST   403   403   403   403   403   403   403   403   401   403
api:coverage-list                      POST   403   403   403   403   403   403   403   403   401   403
api:coverage-forecast                  POST   403   403   403   403   403   403   403   403   401   403
api:coverage-maintenance               POST   403   403   403   403   403   403   403   403   401   403
api:report-run-list                    POST   403   403   403   403   403   403   403   403   401   403
api:report-run-detail                  POST   403   403   403   403   403   403   403   403   401   403
api:report-run-download                POST   403   403   403   403   403   403   403   403   401   403
api:rescue-list                        POST   400   400   403   403   403   403   403   400   401   403
api:rescue-bulk                        POST   400   400   403   403   403   403   403   400   401   403
api:rescue-detail                      POST   405   405   403   403   403   403   403   405   401   403
api:claim-proposal-list                POST   405   405   405   405   405   405   405   405   401   405
api:claim-proposal-detail              POST   405   405   405   405   405   405   405   405   401   405
api:claim-proposal-confirm             POST   403   403   404   404   403   ok    404   404   401   403
api:claim-proposal-decline             POST   403   403   404   404   403   400   404   404   401   403
api:hazard-list                        POST   400   400   403   403   403   400   403   400   401   403
api:hazard-bulk                        POST   400   400   403   403   403   400   403   400   401   403
api:hazard-detail                      POST   405   405   405   405   405   405   405   405   401   405
api:hazard-close                       POST   400   400   403   404   404   403   403   403   401   403
api:hazard-rectify                     POST   403   403   403   404   404   403   400   400   401   403
api:service-list                       POST   403   403   403   403   403   400   403   403   401   403
api:service-bulk                       POST   403   403   403   403   403   400   403   403   401   403
api:service-detail                     POST   403   403   403   403   403   405   403   403   401   403
api:service-attachments                POST   403   403   403   403   403   400   403   403   401   403
api:maintenance-record-list            POST   403   403   403   403   403   403   403   400   401   403
api:maintenance-record-bulk            POST   403   403   403   403   403   403   403   400   401   403
api:maintenance-record-detail          POST   405   405   405   405   405   405   405   405   401   405
api:maintenance-record-confirm         POST   403   403   403   404   404   403   403   403   401   403
api:maintenance-record-review          POST   400   400   403   404   404   403   403   400   401   403
api:api-root                           POST   405   405   405   405   405   405   405   405   401   405
import-list                            POST   405   405   405   405   405   405   405   405   login 405
import-new                             POST   403   403   403   403   403   ok    403   403   login 403
import-detail                          POST   405   405   405   405   405   405   405   405   login 405
import-confirm                         POST   403   404   404   404   404   ok    404   404   login 403
import-progress                        POST   ok    404   404   404   404   ok    404   404   login ok
import-errors                          POST   404   404   404   404   404   404   404   404   login 404
elevator-list                          POST   405   405   405   405   405   405   405   405   login 405
elevator-export                        POST   405   405   405   405   405   405   405   405   login 405
elevator-detail                        POST   405   405   405   405   405   405   405   405   login 405
elevator-card                          POST   405
elevator-sign                          POST   405
policy-list                            POST   405   405   405   405   405   405   405   405   login 405
policy-export                          POST   405   405   405   405   405   405   405   405   login 405
policy-register                        POST   403   403   403   403   403   403   ok    403   login 403
policy-detail                          POST   405   405   405   405   405   405   405   405   login 405
policy-renew                           POST   403   403   403   404   403   ok    ok    404   login ok
policy-cancel                          POST   403   403   403   404   403   ok    403   404   login ok
product-list                           POST   405   405   405   405   405   405   405   405   login 405
product-create                         POST   403   403   403   403   403   ok    403   403   login 403
product-detail                         POST   405   405   405   405   405   405   405   405   login 405
product-version-create                 POST   403   403   403   403   403   ok    403   404   login 403
claim-list                             POST   405   405   405   405   405   405   405   405   login 405
claim-detail                           POST   405   405   405   405   405   405   405   405   login 405
claim-update                           POST   403   403   404   404   403   ok    404   404   login 403
home                                   POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
login                                  POST   ok
login-verify                           POST   login
logout                                 POST   login
organisation-list                      POST   405   405   405   405   405   405   405   405   login 405
notice-list                            POST   405   405   405   405   405   405   405   405   login 405
notice-mark-read                       POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
password-change                        POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
two-factor                             POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
two-factor-backup-codes                POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
two-factor-remove                      POST   ok    ok    ok    ok    ok    ok    ok    ok    login ok
org-user-list                          POST   403   403   403   403   403   403   403   403   login 403
org-user-create                        POST   403   403   403   403   403   403   403   403   login 403
org-user-deactivate                    POST   403   403   403   403   403   403   403   403   login 403
api-key-list                           POST   403   403   403   403   403   403   403   403   login 403
api-key-revoke                         POST   403   403   403   403   403   403   403   403   login 403
coverage-overview                      POST   405   405   405   405   405   403   403   403   login 405
coverage-uninsured                     POST   405   405   405   405   405   403   403   403   login 405
coverage-uninsured-export              POST   405   405   405   405   405   403   403   403   login 405
coverage-insurers                      POST   405   403   403   403   405   403   403   403   login 405
coverage-public                        POST   405
reports                                POST   405   405   405   405   405   405   405   405   login 405
reports-run-now                        POST   ok    403   403   403   403   403   403   403   login ok
report-download                        POST   ok    404   ok    404   404   404   404   404   login ok
report-preview                         POST   ok    403   403   403   403   403   403   403   login ok
frozen-months                          POST   405   403   403   403   403   403   403   403   login 405
frozen-month-freeze                    POST   ok    403   403   403   403   403   403   403   login ok
frozen-month-approve                   POST   ok    403   403   403   403   403   403   403   login ok
frozen-month-publish                   POST   ok    403   403   403   403   403   403   403   login ok
coverage-target-set                    POST   ok    403   403   403   403   403   403   403   login ok
maintenance-record-list                POST   405   405   405   405   405   405   405   405   login 405
maintenance-record-export              POST   405   405   405   405   405   405   405   405   login 405
maintenance-record-create              POST   403   403   403   403   403   403   403   ok    login 403
maintenance-record-review-queue        POST   405   405   405   405   405   405   405   405   login 405
maintenance-record-detail              POST   403   403   403   404   404   403   ok    403   login 403
maintenance-company-ranking            POST   ok    ok    403   403   403   403   403   403   login ok
maintenance-attachment-download        POST   ok    ok    ok    404   404   ok    ok    ok    login ok
service-list                           POST   405   405   405   405   405   405   405   405   login 405
service-export                         POST   405   405   405   405   405   405   405   405   login 405
service-new                            POST   403   403   403   403   403   ok    403   403   login 403
service-detail                         POST   405   405   405   405   405   405   405   405   login 405
hazard-list                            POST   405   405   405   405   405   405   405   405   login 405
hazard-export                          POST   405   405   405   405   405   405   405   405   login 405
hazard-report                          POST   ok    ok    403   403   403   ok    403   ok    login 403
hazard-board                           POST   ok    ok    403   403   403   403   403   403   login ok
hazard-detail                          POST   405   405   405   405   405   405   405   405   login 405
hazard-rectify                         POST   403   403   403   404   404   403   400   400   login 403
hazard-close                           POST   400   400   403   404   404   403   403   403   login 403
rescue-list                            POST   405   405   405   405   405   405   405   405   login 405
rescue-export                          POST   405   405   405   405   405   405   405   405   login 405
rescue-record                          POST   ok    ok    403   403   403   403   403   ok    login 403
rescue-board                           POST   405   405   405   405   405   405   405   405   login 405
rescue-detail                          POST   405   405   405   405   405   405   405   405   login 405
claim-proposal-list                    POST   405   405   405   405   405   405   405   405   login 405
claim-proposal-export                  POST   405   405   405   405   405   405   405   405   login 405
claim-proposal-confirm                 POST   403   403   404   404   403   ok    404   404   login 403
claim-proposal-decline                 POST   403   403   404   404   403   ok    404   404   login 403
feedback-list                          POST   405   405   405   405   405   405   405   405   login 405
feedback-export                        POST   405   405   405   405   405   405   405   405   login 405
feedback-submit                        POST   400
audit-search                           POST   405   403   403   403   403   403   403   403   login 405
elevator-history                       POST   405   405   405   405   405   405   405   405   login 405
policy-history                         POST   405   405   405   405   405   405   405   405   login 405
product-history                        POST   405   405   405   405   405   405   405   405   login 405
claim-history                          POST   405   405   405   405   405   405   405   405   login 405
organisation-history                   POST   405   405   405   405   405   405   405   405   login 405
org-user-history                       POST   403   403   403   403   403   403   403   403   login 403
api-key-history                        POST   403   403   403   403   403   403   403   403   login 403
frozen-month-history                   POST   405   403   403   403   403   403   403   403   login 405
target-history                         POST   405   403   403   403   403   403   403   403   login 405
maintenance-record-history             POST   405   405   405   405   405   405   405   405   login 405
service-history                        POST   405   405   405   405   405   405   405   405   login 405
hazard-history                         POST   405   405   405   405   405   405   405   405   login 405
rescue-history                         POST   405   405   405   405   405   405   405   405   login 405
"""


def excluded_reason(pattern: str) -> str | None:
    for prefix, reason in EXCLUDED.items():
        if pattern.startswith(prefix):
            return reason
    return None


def _parse(text: str) -> dict:
    matrix = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        key, method, *cells = line
        if len(cells) == 1:
            cells = cells * len(COLUMNS)
        assert len(cells) == len(COLUMNS), (
            f"row {key} {method}: {len(cells)} cells for {len(COLUMNS)} columns"
        )
        assert (key, method) not in matrix, f"row {key} {method} twice"
        matrix[key, method] = dict(zip(COLUMNS, cells, strict=True))
    return matrix


MATRIX = _parse(TABLE)
