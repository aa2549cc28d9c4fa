"""The source systems' tables: columns in order, keys, indexes and each column's expected PII class.

This is the contract with the loaders and scanners (see README.md); writers emit tuples in this order.
"""

from __future__ import annotations

from dataclasses import dataclass

# PII classes a classifier is expected to find; None means "not personal data on its own".
PII_CLASSES = (
    "email",
    "phone",
    "person_name",
    "postal_address",
    "date_of_birth",
    "national_id",
    "ip_address",
    "payment_card",
    "consent_flag",
)

SYSTEMS = ("crm", "billing", "support", "marketing", "product")


@dataclass(frozen=True)
class Column:
    """One column: name, SQLite type and the PII class a classifier should assign."""

    name: str
    type: type = str
    pii: str | None = None


@dataclass(frozen=True)
class Table:
    """One table of a source system."""

    system: str
    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other table, other column)
    indexes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The primary key column (always the first)."""
        return self.columns[0].name

    @property
    def qualified(self) -> str:
        """`system.table`, as the manifest names it."""
        return f"{self.system}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse `name[:pii][:int]` items separated by spaces, e.g. `email:email amount_cents::int`."""
    out = []
    for item in spec.split():
        name, _, rest = item.partition(":")
        pii, _, kind = rest.partition(":")
        out.append(Column(name, int if kind == "int" else str, pii or None))
    return tuple(out)


_NAME = "person_name"
_ADDR = "street:postal_address city:postal_address postal_code:postal_address region country"

TABLES: tuple[Table, ...] = (
    Table(
        "crm",
        "contacts",
        _cols(
            f"contact_id first_name:{_NAME} last_name:{_NAME} email:email phone:phone {_ADDR} "
            "created_at updated_at date_of_birth:date_of_birth"
        ),
        indexes=("email", "phone", "last_name"),
    ),
    Table(
        "crm",
        "contact_preferences",
        _cols(
            "pref_id contact_id channel purpose status:consent_flag method captured_at synced_at "
            "capture_source notice_version evidence_url ip_address:ip_address"
        ),
        foreign_keys=(("contact_id", "contacts", "contact_id"),),
        indexes=("contact_id",),
    ),
    Table(
        "billing",
        "accounts",
        _cols(
            f"account_id full_name:{_NAME} billing_email:email phone:phone {_ADDR} opened_at "
            "tax_id:national_id"
        ),
        indexes=("billing_email", "phone"),
    ),
    Table(
        "billing",
        "purchases",
        _cols(
            "purchase_id account_id occurred_at amount_cents::int currency "
            "soft_opt_in_notice_given:consent_flag:int"
        ),
        foreign_keys=(("account_id", "accounts", "account_id"),),
        indexes=("account_id",),
    ),
    Table(
        "billing",
        "payment_methods",
        _cols(
            "method_id account_id card_brand card_number:payment_card card_last4 expiry_month::int "
            "expiry_year::int created_at"
        ),
        foreign_keys=(("account_id", "accounts", "account_id"),),
        indexes=("account_id",),
    ),
    Table(
        "support",
        "requesters",
        _cols(f"requester_id name:{_NAME} email:email phone:phone country region created_at"),
        indexes=("email", "phone"),
    ),
    Table(
        "support",
        "tickets",
        _cols("ticket_id requester_id opened_at kind subject"),
        foreign_keys=(("requester_id", "requesters", "requester_id"),),
        indexes=("requester_id",),
    ),
    Table(
        "support",
        "dnc_requests",
        _cols("request_id requester_id phone:phone channel requested_at note"),
        foreign_keys=(("requester_id", "requesters", "requester_id"),),
        indexes=("requester_id", "phone"),
    ),
    Table(
        "support",
        "objections",
        _cols("objection_id requester_id purpose captured_at received_at note"),
        foreign_keys=(("requester_id", "requesters", "requester_id"),),
        indexes=("requester_id",),
    ),
    Table(
        "marketing",
        "subscribers",
        _cols(
            f"subscriber_id email:email first_name:{_NAME} last_name:{_NAME} phone:phone country region "
            "created_at"
        ),
        indexes=("email", "phone"),
    ),
    Table(
        "marketing",
        "subscriptions",
        _cols(
            "record_id subscriber_id email:email phone:phone channel purpose status:consent_flag method "
            "captured_at received_at expires_at capture_source notice_version url ip_address:ip_address"
        ),
        foreign_keys=(("subscriber_id", "subscribers", "subscriber_id"),),
        indexes=("subscriber_id", "email"),
    ),
    Table(
        "marketing",
        "bounces",
        _cols("bounce_id email:email bounce_type occurred_at expires_at"),
        indexes=("email",),
    ),
    Table(
        "marketing",
        "spam_complaints",
        _cols("complaint_id email:email occurred_at"),
        indexes=("email",),
    ),
    Table(
        "product",
        "users",
        _cols(f"user_id email:email phone:phone full_name:{_NAME} country region signup_at"),
        indexes=("email", "phone"),
    ),
    Table(
        "product",
        "app_consents",
        _cols(
            "consent_id user_id channel purpose status:consent_flag method captured_at received_at "
            "expires_at notice_version app_version ip_address:ip_address"
        ),
        foreign_keys=(("user_id", "users", "user_id"),),
        indexes=("user_id",),
    ),
    Table(
        "product",
        "gpc_signals",
        _cols("signal_id user_id observed_at user_agent"),
        foreign_keys=(("user_id", "users", "user_id"),),
        indexes=("user_id",),
    ),
)

BY_NAME = {t.qualified: t for t in TABLES}

# The table of each system whose rows are identity source records (one per person and system).
RECORD_TABLES = {
    "crm": "contacts",
    "billing": "accounts",
    "support": "requesters",
    "marketing": "subscribers",
    "product": "users",
}

# Files outside the databases, with their columns' PII classes.
REGISTRY_COLUMNS = {"phone": "phone"}
TRUTH_COLUMNS = ("source_system", "source_key", "person_id")


def tables_of(system: str) -> list[Table]:
    """The tables of one source system, in creation order."""
    return [t for t in TABLES if t.system == system]
