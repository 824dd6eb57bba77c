"""The tenant's posting profile (which accounts invoices and payments post to) and company
profile (the seller on a Mushak-6.3). A tenant that never set a profile posts to the standard
chart's accounts, found by code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from vextrus_finance.application.ports import AccountRecord, UnitOfWork
from vextrus_finance.domain.errors import FieldIssue, InvalidInput, PreconditionFailed
from vextrus_finance.domain.posting_profiles import (
    COMPANY_PROFILE_STREAM,
    POSTING_PROFILE_STREAM,
    CompanyProfile,
    PostingProfile,
    PostingRole,
    ProfileAccount,
    build_company,
)


@dataclass(frozen=True)
class SetPostingProfile:
    """Role → account code (or id). Roles left out keep their current account."""

    accounts: Mapping[PostingRole, str]
    expected_version: int | None = None


@dataclass(frozen=True)
class SetCompanyProfile:
    name: str
    address: str | None = None
    bin: str | None = None
    tin: str | None = None
    phone: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class PostingAccounts:
    """The profile resolved against the chart, as postings need it."""

    records: dict[PostingRole, AccountRecord] = field(default_factory=dict)

    def __getitem__(self, role: PostingRole) -> AccountRecord:
        return self.records[role]


async def posting_accounts(uow: UnitOfWork, roles: tuple[PostingRole, ...]) -> PostingAccounts:
    """The accounts for `roles`, refused (422, naming each role) if any is missing or inactive:
    posting must not fail half-way on an unusable account."""
    profile = await uow.load(PostingProfile, POSTING_PROFILE_STREAM)
    if profile.exists:
        ids = {role: profile.state.accounts[role].id for role in roles}
        by_id = await uow.accounts.by_ids(ids.values())
        found = {role: by_id.get(account_id) for role, account_id in ids.items()}
    else:
        by_code = await uow.accounts.by_codes(role.default_code for role in roles)
        found = {role: by_code.get(role.default_code) for role in roles}
    issues: list[FieldIssue] = []
    records: dict[PostingRole, AccountRecord] = {}
    for role, record in found.items():
        if record is None:
            where = "its account" if profile.exists else f"account {role.default_code}"
            issues.append(
                FieldIssue(
                    f"posting_profile.{role.value}",
                    f"the posting profile's {role.value} ({where}) does not exist in this "
                    "tenant's chart: seed the chart or PUT /api/v1/posting-profile",
                    "posting_profile_incomplete",
                )
            )
        elif not record.is_active:
            issues.append(
                FieldIssue(
                    f"posting_profile.{role.value}",
                    f"the posting profile's {role.value} account {record.code} is inactive",
                    "account_inactive",
                )
            )
        else:
            records[role] = record
    if issues:
        raise InvalidInput.from_issues(issues)
    return PostingAccounts(records)


async def _resolve(
    uow: UnitOfWork, wanted: Mapping[PostingRole, str]
) -> dict[PostingRole, ProfileAccount]:
    by_code = await uow.accounts.by_codes(wanted.values())
    by_id = await uow.accounts.by_ids(wanted.values())
    issues: list[FieldIssue] = []
    resolved: dict[PostingRole, ProfileAccount] = {}
    for role, ref in wanted.items():
        record = by_code.get(ref) or by_id.get(ref)
        if record is None:
            issues.append(
                FieldIssue(role.value, f"no account {ref} in this tenant", "unknown_account")
            )
        elif record.type not in role.allowed_types:
            allowed = " or ".join(t.value for t in role.allowed_types)
            issues.append(
                FieldIssue(
                    role.value,
                    f"account {record.code} is {record.type}; {role.value} needs {allowed}",
                    "wrong_account_type",
                )
            )
        elif not record.is_active:
            issues.append(
                FieldIssue(role.value, f"account {record.code} is inactive", "account_inactive")
            )
        elif record.is_header:
            issues.append(
                FieldIssue(
                    role.value,
                    f"account {record.code} has sub-accounts and takes no lines",
                    "header_account",
                )
            )
        else:
            resolved[role] = ProfileAccount(record.id, record.code)
    if issues:
        raise InvalidInput.from_issues(issues)
    return resolved


P = TypeVar("P", PostingProfile, CompanyProfile)


async def _load_profile(
    uow: UnitOfWork, cls: type[P], stream_id: str, what: str, expected_version: int | None
) -> P:
    """The tenant's one profile stream, with the If-Match check; unlike `load_existing` it
    need not exist yet (version 0: the first set creates it)."""
    profile = await uow.load(cls, stream_id)
    if expected_version is not None and expected_version != profile.version:
        raise PreconditionFailed(f"the {what} is at version {profile.version}", field="If-Match")
    return profile


async def set_posting_profile(uow: UnitOfWork, cmd: SetPostingProfile) -> str:
    profile = await _load_profile(
        uow, PostingProfile, POSTING_PROFILE_STREAM, "posting profile", cmd.expected_version
    )
    if profile.exists:
        current = {role: account.id for role, account in profile.state.accounts.items()}
    else:
        current = {role: role.default_code for role in PostingRole}
    merged = {**current, **cmd.accounts}
    profile.set(await _resolve(uow, merged))
    await uow.record(profile)
    return profile.id


async def seed_posting_profile(uow: UnitOfWork) -> bool:
    """Store the default profile (the standard chart's accounts) unless one exists."""
    profile = await uow.load(PostingProfile, POSTING_PROFILE_STREAM)
    if profile.exists:
        return False
    profile.set(await _resolve(uow, {role: role.default_code for role in PostingRole}))
    await uow.record(profile)
    return True


async def set_company_profile(uow: UnitOfWork, cmd: SetCompanyProfile) -> str:
    company = await _load_profile(
        uow, CompanyProfile, COMPANY_PROFILE_STREAM, "company profile", cmd.expected_version
    )
    company.set(build_company(cmd.name, cmd.address, cmd.bin, cmd.tin, cmd.phone))
    await uow.record(company)
    return company.id
