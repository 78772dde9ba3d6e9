"""Customer accounts: the record, its validation rules and its indexes.

Every lookup the API offers (id, email, custom key, global key, one page of the
list) goes through a dict or a slice, so its cost does not grow with the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar

from emulator.domain.clock import Clock
from emulator.domain.codes import COUNTRIES, LANGUAGES
from emulator.domain.errors import Invalid, NotFound
from emulator.domain.ids import IdGenerator
from emulator.domain.ordered import IdsInOrder, RecordsOf, insert_sorted, remove_sorted
from emulator.domain.paging import Page, newest_first, paginate

T = TypeVar("T")

MAX_TEXT = 255
CONTACT_FIELDS = ("first", "last", "email", "company", "phone")
ADDRESS_FIELDS = (
    "addressLine1",
    "addressLine2",
    "city",
    "postalCode",
    "region",
    "regionCustom",
    "company",
)
LOOKUP_FILTERS = (
    "email",
    "custom",
    "global",
    "orderID",
    "orderReference",
    "subscriptionId",
    "products",
    "subscriptions",
    "refunds",
)
SUBSCRIPTION_FILTER_VALUES = ("active", "ended", "canceled", "started")
# Filters answered from relations that orders and subscriptions record.
RELATION_FILTERS = ("orderID", "orderReference", "subscriptionId", "products", "refunds")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_CUSTOM_KEY = re.compile(r"[A-Za-z0-9_-]{4,255}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


ChargeRecord = tuple[str, str, str, float, str | None, int]


@dataclass(slots=True)
class Account:
    id: str
    global_key: str
    first: str
    last: str
    email: str
    created: int
    company: str | None = None
    phone: str | None = None
    language: str = "en"
    country: str | None = None
    custom: str | None = None
    subscribed: bool = True
    address: dict[str, str | None] = field(default_factory=dict)
    # Empty tuples until the first entry, then lists (see `_added`): most accounts
    # never buy, and an empty list per relation per account adds up.
    orders: Sequence[str] = ()
    subscriptions: Sequence[str] = ()
    # (order id, order reference, currency, total, subscription, timestamp) of each
    # payment, as it was then: plain tuples, small, that `charge_view` renders.
    charges: Sequence[ChargeRecord] = ()
    payment_methods: int = 0
    card: dict[str, str] | None = None  # the stored method's type, brand, ending, expiry
    decline: str | None = None  # the stored payment method's behaviour

    def add_order(self, order_id: str) -> None:
        self.orders = _added(self.orders, order_id)

    def add_subscription(self, subscription_id: str) -> None:
        self.subscriptions = _added(self.subscriptions, subscription_id)

    def add_charge(self, charge: ChargeRecord) -> None:
        self.charges = _added(self.charges, charge)

    def captured(self) -> AccountCapture:
        """What the account's events show (contact, address, keys) as plain values:
        later changes cannot reach them, and the garbage collector sets them aside."""
        return (*_shown_fields(self), tuple(self.address.items()))

    @classmethod
    def from_capture(cls, values: AccountCapture) -> Account:
        """The account as `captured` saw it (its relations left out: no event shows them)."""
        id_, global_key, first, last, email, created, *rest, address = values
        company, phone, language, country, custom, subscribed = rest
        return cls(
            id_, global_key, first, last, email, created,
            company, phone, language, country, custom, subscribed, dict(address),
        )  # fmt: skip


def _added(entries: Sequence[T], entry: T) -> list[T]:
    if isinstance(entries, list):
        entries.append(entry)
        return entries
    return [*entries, entry]


# Account's fields up to `subscribed`, in order: what `captured` keeps besides the address.
_SHOWN = (
    *("id", "global_key", "first", "last", "email", "created"),
    *("company", "phone", "language", "country", "custom", "subscribed"),
)
_shown_fields = attrgetter(*_SHOWN)
# The fields of `_SHOWN`, then the address's items.
AccountCapture = tuple[Any, ...]


def email_key(email: str) -> str:
    """Emails are unique per store ignoring case."""
    return email.casefold()


def _text(value: object, required: bool) -> str | None:
    """A valid text field value, or raise ValueError. Empty optional text is None."""
    if value is None:
        if required:
            raise ValueError
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or _CONTROL.search(value):
        raise ValueError
    value = value.strip()
    if required and not value:
        raise ValueError
    return value or None


def _contact_changes(contact: object, creating: bool, errors: dict[str, str]) -> dict[str, Any]:
    if contact is None and not creating:
        return {}
    if not isinstance(contact, Mapping):
        for name in ("first", "last", "email"):
            errors[name] = f"{name} invalid"
        return {}
    changes: dict[str, Any] = {}
    for name in CONTACT_FIELDS:
        required = name in ("first", "last", "email")
        if name not in contact:
            if creating and required:
                errors[name] = f"{name} invalid"
            continue
        try:
            value = _text(contact[name], required)
        except ValueError:
            errors[name] = f"{name} invalid"
            continue
        if name == "email" and not _EMAIL.fullmatch(value or ""):
            errors[name] = "email invalid"
            continue
        changes[name] = value
    if "subscribed" in contact:
        if isinstance(contact["subscribed"], bool):
            changes["subscribed"] = contact["subscribed"]
        else:
            errors["subscribed"] = "subscribed invalid"
    return changes


def _address_changes(address: object, errors: dict[str, str]) -> dict[str, str | None]:
    if address is None:
        return {}
    if not isinstance(address, Mapping):
        errors["address"] = "address invalid"
        return {}
    changes: dict[str, str | None] = {}
    for name in ADDRESS_FIELDS:
        if name in address:
            try:
                changes[name] = _text(address[name], required=False)
            except ValueError:
                errors[name] = f"{name} invalid"
    return changes


def parse_account_body(body: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    """Validate a create or update body; return only the fields it sets.

    Every error is collected before anything is applied, so a refused request
    never changes the store. Unknown fields are ignored, as FastSpring does.
    """
    errors: dict[str, str] = {}
    changes = _contact_changes(body.get("contact"), creating, errors)
    if "language" in body:
        language = body["language"]
        if isinstance(language, str) and language.lower() in LANGUAGES:
            changes["language"] = language.lower()
        else:
            errors["language"] = "language is invalid"
    if "country" in body:
        country = body["country"]
        if isinstance(country, str) and country.upper() in COUNTRIES:
            changes["country"] = country.upper()
        elif country is None:
            changes["country"] = None
        else:
            errors["country"] = "country invalid"
    lookup = body.get("lookup")
    if lookup is not None:
        if not isinstance(lookup, Mapping):
            errors["custom"] = "custom invalid"
        elif "custom" in lookup:
            custom = lookup["custom"]
            if custom is None or (isinstance(custom, str) and _CUSTOM_KEY.fullmatch(custom)):
                changes["custom"] = custom
            else:
                errors["custom"] = "custom invalid"
    address = _address_changes(body.get("address"), errors)
    if address:
        changes["address"] = address
    if errors:
        raise Invalid(errors)
    return changes


def _differs(account: Account, changes: dict[str, Any]) -> bool:
    """Whether applying `changes` alters a field of the account. Every field an
    update can set is shown by `GET /accounts/{id}`, so this is whether the account
    as the API shows it changes."""
    for name, value in changes.items():
        if name == "address":
            address = account.address
            if any(address.get(key) != part for key, part in value.items()):
                return True
        elif getattr(account, name) != value:
            return True
    return False


# The accounts a relation key leads to: one account's bare id, or several in a dict.
Holders = str | dict[str, None]


def holders(held: Holders | None) -> Iterable[str]:
    """The account ids a relation key leads to, in the order they were linked."""
    if held is None:
        return ()
    return (held,) if isinstance(held, str) else held


class AccountBook:
    """The accounts of one store, with an index for every way FastSpring finds one."""

    def __init__(self, ids: IdGenerator, clock: Clock) -> None:
        self._ids = ids
        self._clock = clock
        self._by_id: dict[str, Account] = {}
        self._order: list[str] = []
        self._by_email: dict[str, str] = {}
        self._by_global: dict[str, str] = {}
        self._by_custom: dict[str, list[str]] = {}
        self._seq: dict[str, int] = {}
        # relation filter -> key -> the accounts it reaches (see `Holders`)
        self._relations: dict[str, dict[str, Holders]] = {k: {} for k in RELATION_FILTERS}
        # `subscriptions=` filter value -> account id -> how many of its subscriptions count
        self._subscription_counts: dict[str, dict[str, int]] = {
            k: {} for k in SUBSCRIPTION_FILTER_VALUES
        }
        # `subscriptions=` filter value -> creation positions of the accounts it matches
        self._with_subscriptions: dict[str, list[int]] = {k: [] for k in SUBSCRIPTION_FILTER_VALUES}

    def __len__(self) -> int:
        return len(self._order)

    def get(self, account_id: str) -> Account:
        account = self._by_id.get(account_id)
        if account is None:
            raise NotFound({"account": "account not found"})
        return account

    def find(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)

    def find_by_email(self, email: str) -> Account | None:
        account_id = self._by_email.get(email_key(email))
        return None if account_id is None else self._by_id[account_id]

    def _ensure_email_free(self, email: str, owner: str | None) -> None:
        existing = self._by_email.get(email_key(email))
        if existing is not None and existing != owner:
            raise Invalid({"email": f"email already exists, /accounts/{existing}"})

    def create(self, body: Mapping[str, Any]) -> Account:
        changes = parse_account_body(body, creating=True)
        self._ensure_email_free(changes["email"], None)
        account = Account(
            id=self._ids.new_id(),
            global_key=self._ids.new_id(),
            first=changes["first"],
            last=changes["last"],
            email=changes["email"],
            created=self._clock.now_ms(),
        )
        self._apply(account, changes)
        self._place(account)
        return account

    def _place(self, account: Account) -> None:
        self._by_id[account.id] = account
        self._seq[account.id] = len(self._order)
        self._order.append(account.id)
        self._by_global[account.global_key] = account.id

    def export(self) -> dict[str, Any]:
        """The accounts and their lookup relations, as a snapshot keeps them: the
        accounts in order (an iterator) and each relation's key -> account ids, for the
        snapshot to copy in steps."""
        return {
            "accounts": (self._by_id[i] for i in self._order),
            "relations": self._relations,
            "subscription_counts": self._subscription_counts,
        }

    def restore(
        self,
        accounts: Iterable[Account],
        relations: Mapping[str, Mapping[str, list[str]]],
        counts: Mapping[str, Mapping[str, int]],
    ) -> None:
        """Load `export()`'s parts into this empty book, rebuilding every index."""
        for account in accounts:
            self._place(account)
            self._by_email[email_key(account.email)] = account.id
            if account.custom is not None:
                self._by_custom.setdefault(account.custom, []).append(account.id)
        for name, keys in relations.items():
            self._relations[name] = {
                key: ids[0] if len(ids) == 1 else dict.fromkeys(ids) for key, ids in keys.items()
            }
        for value, by_account in counts.items():
            self._subscription_counts[value] = dict(by_account)
            self._with_subscriptions[value] = sorted(self._seq[i] for i in by_account)

    def update(self, account_id: str, body: Mapping[str, Any]) -> tuple[Account, bool]:
        """The account after the update, and whether anything it shows changed (an
        update that repeats what is there sends no `account.updated`)."""
        account = self.get(account_id)
        changes = parse_account_body(body, creating=False)
        if "email" in changes:
            self._ensure_email_free(changes["email"], account.id)
        changed = _differs(account, changes)
        self._apply(account, changes)
        return account, changed

    def _apply(self, account: Account, changes: dict[str, Any]) -> None:
        """Apply validated changes and keep the email and custom indexes in step."""
        if "email" in changes:
            self._by_email.pop(email_key(account.email), None)
            self._by_email[email_key(changes["email"])] = account.id
        if "custom" in changes and changes["custom"] != account.custom:
            if account.custom is not None:
                holders = self._by_custom[account.custom]
                holders.remove(account.id)
                if not holders:
                    del self._by_custom[account.custom]
            if changes["custom"] is not None:
                self._by_custom.setdefault(changes["custom"], []).append(account.id)
        for name, value in changes.items():
            if name == "address":
                account.address.update(value)
            else:
                setattr(account, name, value)

    def newest(self, start: int, count: int) -> list[Account]:
        """A page of accounts, newest first (for the dashboard)."""
        return [self._by_id[i] for i in newest_first(self._order, start, count)]

    def search(self, text: str) -> list[Account]:
        """Accounts whose id, email or custom key is `text` (for the dashboard)."""
        found = self._by_id.get(text) or self.find_by_email(text)
        if found is not None:
            return [found]
        return [self._by_id[i] for i in self._by_custom.get(text, ())]

    def page(self, page: int, limit: int) -> Page[str]:
        return paginate(self._order, page, limit)

    def link(self, relation: str, key: str, account_id: str) -> None:
        """Record that an account is reachable through a relation filter. A key that one
        account holds (an order id or reference, a subscription id: the common case,
        one per purchase) keeps the bare id; a second account makes it a dict."""
        index = self._relations[relation]
        held = index.get(key)
        if held is None:
            index[key] = account_id
        elif isinstance(held, str):
            if held != account_id:
                index[key] = {held: None, account_id: None}
        else:
            held[account_id] = None

    def track_subscription(self, account_id: str, old: str | None, new: str) -> None:
        """Keep `?subscriptions=active|ended|canceled|started` answerable by index."""
        if old == new:
            return
        if old is None:
            self._count("started", account_id, 1)
        else:
            self._count(old, account_id, -1)
        self._count(new, account_id, 1)

    def _count(self, value: str, account_id: str, delta: int) -> None:
        counts = self._subscription_counts[value]
        before = counts.get(account_id, 0)
        total = before + delta
        if total > 0:
            counts[account_id] = total
        else:
            counts.pop(account_id, None)
        if (before > 0) != (total > 0):
            change = insert_sorted if total > 0 else remove_sorted
            change(self._with_subscriptions[value], self._seq[account_id])

    def lookup(self, filters: Mapping[str, str]) -> Sequence[Account]:
        """Answer one lookup condition of `GET /accounts`; no match is an error."""
        present = [name for name in LOOKUP_FILTERS if name in filters]
        if len(present) > 1:
            raise Invalid({present[1]: "Only one condition can be specified"})
        name = present[0]
        value = filters[name]
        if name == "subscriptions" and value not in SUBSCRIPTION_FILTER_VALUES:
            raise Invalid({name: "Supported value: " + ", ".join(SUBSCRIPTION_FILTER_VALUES)})
        if name == "refunds" and value != "true":
            raise Invalid({name: "Supported value: true"})
        ids = self._matching_ids(name, value)
        if not ids:
            raise NotFound({name: "Account not found"})
        return RecordsOf(ids, self._by_id)

    def _matching_ids(self, name: str, value: str) -> Sequence[str]:
        if name == "email":
            found = self._by_email.get(email_key(value))
            return [found] if found else []
        if name == "global":
            found = self._by_global.get(value)
            return [found] if found else []
        if name == "custom":
            return list(self._by_custom.get(value, ()))
        if name == "subscriptions":
            return IdsInOrder(self._with_subscriptions[value], self._order)
        index = self._relations[name]
        if name == "products":
            matches = (i for path in value.split(",") for i in holders(index.get(path)))
            return list(dict.fromkeys(matches))
        return list(holders(index.get(value)))
