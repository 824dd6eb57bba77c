"""Printed labels of Mushak-6.3 in English and Bengali.

The Bengali wording follows the form in the schedule of the VAT and SD Rules 2016 (মূসক-৬.৩,
কর চালানপত্র); the English is its translation. A dataclass, not a dict, so that mypy refuses a
language that lacks a label."""

from __future__ import annotations

from dataclasses import dataclass

from vextrus_finance.documents.numerals import Lang


@dataclass(frozen=True)
class Labels:
    lang: Lang
    government: str
    board: str
    title: str
    form: str
    rule: str
    seller_name: str
    seller_bin: str
    seller_address: str
    tin: str
    buyer_name: str
    buyer_bin: str
    buyer_address: str
    destination: str
    vehicle: str
    challan_number: str
    invoice_number: str
    invoice_date: str
    issue_date: str
    issue_time: str
    time_zone: str
    serial: str
    description: str
    hs_code: str
    unit: str
    quantity: str
    unit_price: str
    amount: str
    sd_rate: str
    sd_amount: str
    vat_rate: str
    vat_amount: str
    line_total: str
    total: str
    in_words: str
    exempt: str
    authorised_name: str
    designation: str
    signature: str
    seal: str
    footnote: str
    currency_note: str
    cancelled: str
    cancelled_note: str


EN = Labels(
    lang="en",
    government="Government of the People's Republic of Bangladesh",
    board="National Board of Revenue",
    title="Tax Invoice",
    form="Mushak-6.3",
    rule="[See clause (c) and (f) of sub-rule (1) of Rule 40]",
    seller_name="Name of registered person",
    seller_bin="BIN of registered person",
    seller_address="Address of invoice issue",
    tin="e-TIN",
    buyer_name="Name of buyer",
    buyer_bin="BIN of buyer",
    buyer_address="Address of buyer",
    destination="Destination of supply",
    vehicle="Type and number of vehicle",
    challan_number="Invoice (challan) number",
    invoice_number="Sales invoice number",
    invoice_date="Invoice date",
    issue_date="Date of issue",
    issue_time="Time of issue",
    time_zone="Bangladesh time",
    serial="Sl. No.",
    description="Description of goods or services (with brand name, if applicable)",
    hs_code="HS code",
    unit="Unit of supply",
    quantity="Quantity",
    unit_price="Unit price (Taka)",
    amount="Total value (Taka)",
    sd_rate="SD rate",
    sd_amount="SD amount (Taka)",
    vat_rate="VAT rate",
    vat_amount="VAT amount (Taka)",
    line_total="Value including all duties and taxes (Taka)",
    total="Total",
    in_words="In words (value including all duties and taxes)",
    exempt="Exempt",
    authorised_name="Name of the authorised person of the organisation",
    designation="Designation",
    signature="Signature",
    seal="Seal",
    footnote=(
        "* For a supply subject to deduction at source, this form shall be treated as an "
        "integrated tax invoice and certificate of deduction at source."
    ),
    currency_note="All amounts in Taka",
    cancelled="CANCELLED",
    cancelled_note="This tax invoice was cancelled; reprinted for the record.",
)

BN = Labels(
    lang="bn",
    government="গণপ্রজাতন্ত্রী বাংলাদেশ সরকার",
    board="জাতীয় রাজস্ব বোর্ড",
    title="কর চালানপত্র",
    form="মূসক-৬.৩",
    rule="[বিধি ৪০ এর উপ-বিধি (১) এর দফা (গ) ও দফা (চ) দ্রষ্টব্য]",
    seller_name="নিবন্ধিত ব্যক্তির নাম",
    seller_bin="নিবন্ধিত ব্যক্তির বিআইএন",
    seller_address="চালানপত্র ইস্যুর ঠিকানা",
    tin="ই-টিআইএন",
    buyer_name="ক্রেতার নাম",
    buyer_bin="ক্রেতার বিআইএন",
    buyer_address="ক্রেতার ঠিকানা",
    destination="সরবরাহের গন্তব্যস্থল",
    vehicle="যানবাহনের প্রকৃতি ও নম্বর",
    challan_number="চালানপত্র নম্বর",
    invoice_number="বিক্রয় চালান নম্বর",
    invoice_date="চালানের তারিখ",
    issue_date="ইস্যুর তারিখ",
    issue_time="ইস্যুর সময়",
    time_zone="বাংলাদেশ সময়",
    serial="ক্রমিক সংখ্যা",
    description="পণ্য বা সেবার বর্ণনা (প্রযোজ্য ক্ষেত্রে ব্র্যান্ড নামসহ)",
    hs_code="এইচএস কোড",
    unit="সরবরাহের একক",
    quantity="পরিমাণ",
    unit_price="একক মূল্য (টাকায়)",
    amount="মোট মূল্য (টাকায়)",
    sd_rate="সম্পূরক শুল্কের হার",
    sd_amount="সম্পূরক শুল্কের পরিমাণ (টাকায়)",
    vat_rate="মূল্য সংযোজন করের হার",
    vat_amount="মূল্য সংযোজন করের পরিমাণ (টাকায়)",
    line_total="সকল প্রকার শুল্ক ও করসহ মূল্য (টাকায়)",
    total="সর্বমোট",
    in_words="কথায় (সকল প্রকার শুল্ক ও করসহ মূল্য)",
    exempt="অব্যাহতিপ্রাপ্ত",
    authorised_name="প্রতিষ্ঠান কর্তৃপক্ষের দায়িত্বপ্রাপ্ত ব্যক্তির নাম",
    designation="পদবি",
    signature="স্বাক্ষর",
    seal="সিল",
    footnote=(
        "* উৎসে কর্তনযোগ্য সরবরাহের ক্ষেত্রে ফরমটি সমন্বিত কর চালানপত্র ও উৎসে কর কর্তন "
        "সনদপত্র হিসেবে বিবেচিত হইবে এবং উহা উৎসে কর কর্তনযোগ্য সরবরাহের ক্ষেত্রে প্রযোজ্য হইবে।"
    ),
    currency_note="সকল অংক টাকায়",
    cancelled="বাতিল",
    cancelled_note="এই কর চালানপত্রটি বাতিল করা হয়েছে; নথির জন্য পুনর্মুদ্রিত।",
)

LABELS: dict[Lang, Labels] = {"en": EN, "bn": BN}
