"""The upstream contract: one official document (公文) as an office system sends it to intake."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Disclosure = Literal["主动公开", "依申请公开", "不予公开"]
Classification = Literal["秘密", "机密", "绝密"]

# Ceilings published in the JSON Schema; validation.Limits can tighten them at run time.
MAX_BODY_CHARS = 5_000_000
MAX_TITLE_CHARS = 500
MAX_FIELD_CHARS = 2_000
MAX_ATTACHMENTS = 50
MAX_LIST_ITEMS = 200


class Attachment(BaseModel):
    """An attachment (附件) the document lists, fetched by the publication service from url."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Attachment")

    name: str = Field(
        min_length=1,
        max_length=MAX_TITLE_CHARS,
        description="附件名称 / attachment name as listed in the document",
        examples=["附件1：上海市知识产权保护办法.pdf"],
    )
    url: str = Field(
        min_length=1,
        max_length=MAX_FIELD_CHARS,
        description="附件地址，http 或 https / where to fetch the attachment, http or https only",
        examples=["https://oa.example.gov.cn/files/2023/12/attachment-1.pdf"],
    )


class UpstreamDocument(BaseModel):
    """One document as sent by an upstream office system, before normalization."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="UpstreamDocument")

    source_system: str = Field(
        min_length=1,
        max_length=64,
        description="来源系统 / identifier of the sending office system",
        examples=["oa-collab", "portal-cms"],
    )
    source_id: str = Field(
        min_length=1,
        max_length=200,
        description="来源系统内的文件标识 / the document's id in the sending system",
        examples=["OA-2023-000123"],
    )
    doc_number: str | None = Field(
        default=None,
        max_length=100,
        description="发文字号，无字号的文种可省略 / document number; omit it for kinds that have none",
        examples=["沪知局〔2023〕12号", "沪知局[2023]12号"],
    )
    title: str = Field(
        min_length=1,
        max_length=MAX_TITLE_CHARS,
        description="标题 / document title",
        examples=["关于印发《上海市知识产权保护办法》的通知"],
    )
    issuing_organ: str = Field(
        min_length=1,
        max_length=MAX_FIELD_CHARS,
        description="发文机关 / issuing organ",
        examples=["上海市知识产权局"],
    )
    doc_type: str | None = Field(
        default=None,
        max_length=50,
        description="文种，省略时由标题推断 / document type; inferred from the title when omitted",
        examples=["通知", "办法", "公告"],
    )
    written_date: str = Field(
        min_length=1,
        max_length=40,
        description="成文日期，阿拉伯数字或汉字 / date written, in digits or Chinese numerals",
        examples=["2023-05-16", "2023年5月16日", "二〇二三年五月十六日"],
    )
    disclosure: Disclosure | None = Field(
        default=None,
        description="公开属性，省略时读取附注标注 / disclosure attribute; else the note's marking",
        examples=["主动公开"],
    )
    classification: Classification | None = Field(
        default=None,
        description="密级，不含保密期限 / classification without secrecy period; omit if unclassified",
        examples=["秘密"],
    )
    body: str = Field(
        min_length=1,
        max_length=MAX_BODY_CHARS,
        description="正文，纯文本 / body as plain text (leftover HTML is stripped)",
        examples=["各区知识产权局：\n现将《上海市知识产权保护办法》印发给你们，请认真贯彻执行。"],
    )
    note: str | None = Field(
        default=None,
        max_length=MAX_FIELD_CHARS,
        description="附注，含公开属性标注 / note, where the disclosure marking usually is",
        examples=["（此件主动公开）"],
    )
    addressees: list[str] = Field(
        default=[],
        max_length=MAX_LIST_ITEMS,
        description="主送机关 / main addressees",
        examples=[["各区知识产权局", "市知识产权局各处室"]],
    )
    attachments: list[Attachment] = Field(
        default=[],
        max_length=MAX_ATTACHMENTS,
        description="附件 / attachments",
        examples=[[{"name": "附件1：申报表.docx", "url": "https://oa.example.gov.cn/files/1.docx"}]],
    )
    interprets: str | None = Field(
        default=None,
        max_length=MAX_TITLE_CHARS,
        description="所解读政策的发文字号 / document number of the policy this interpretation explains",
        examples=["沪知局〔2023〕12号"],
    )
    requires_interpretation: bool = Field(
        default=False,
        description="是否须同步发布政策解读 / whether the policy is released with its interpretation",
        examples=[True],
    )
    audience: list[str] = Field(
        default=[],
        max_length=MAX_LIST_ITEMS,
        description="定向公开对象，空为面向社会 / targeted audience; empty means the public",
        examples=[["张江科学城", "专利代理机构"]],
    )


FIELD_NAMES: tuple[str, ...] = tuple(UpstreamDocument.model_fields)
ATTACHMENT_FIELD_NAMES: tuple[str, ...] = tuple(Attachment.model_fields)
