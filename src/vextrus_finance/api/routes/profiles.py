"""The tenant's posting profile (accounts invoices and payments post to) and company profile
(the registered person named as seller on Mushak-6.3)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import dump, found, invoicing, respond, view
from vextrus_finance.api.context import ContainerDep, ContextDep, VersionedWriteDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.schemas.profiles import (
    CompanyProfileIn,
    CompanyProfileOut,
    PostingProfileIn,
    PostingProfileOut,
)
from vextrus_finance.application.invoicing import posting_profiles as commands
from vextrus_finance.application.invoicing.queries import InvoiceReader
from vextrus_finance.application.invoicing.views import CompanyProfileView, PostingProfileView
from vextrus_finance.domain.posting_profiles import PostingRole

router = APIRouter(prefix=API, tags=["profiles"])


async def _posting_profile(reader: InvoiceReader, _stream: str) -> PostingProfileView:
    return await reader.posting_profile()


async def _company_profile(reader: InvoiceReader, _stream: str) -> CompanyProfileView | None:
    return await reader.company_profile()


_POSTING_ANSWER = view(PostingProfileOut, _posting_profile, invoicing)
_COMPANY_ANSWER = view(CompanyProfileOut, _company_profile, invoicing)


@router.get("/posting-profile", response_model=PostingProfileOut)
async def get_posting_profile(ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        view = await reader.posting_profile()
    return respond(dump(PostingProfileOut, view))


@router.put("/posting-profile", response_model=PostingProfileOut)
async def set_posting_profile(body: PostingProfileIn, write: VersionedWriteDep) -> JSONResponse:
    given = body.model_dump(exclude_none=True)
    command = commands.SetPostingProfile(
        {PostingRole(role): ref for role, ref in given.items()}, expected_version=write.expected
    )
    return await write.change(
        lambda uow: commands.set_posting_profile(uow, command), _POSTING_ANSWER
    )


@router.get("/company-profile", response_model=CompanyProfileOut)
async def get_company_profile(ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.invoice_reader(ctx.tenant_id) as reader:
        view = await reader.company_profile()
    missing = "this tenant has no company profile yet: PUT /api/v1/company-profile"
    return found(CompanyProfileOut, view, missing, "company_profile_not_found")


@router.put("/company-profile", response_model=CompanyProfileOut)
async def set_company_profile(body: CompanyProfileIn, write: VersionedWriteDep) -> JSONResponse:
    command = commands.SetCompanyProfile(
        body.name, body.address, body.bin, body.tin, body.phone, expected_version=write.expected
    )
    return await write.change(
        lambda uow: commands.set_company_profile(uow, command), _COMPANY_ANSWER
    )
