"""One writer per source system: turns a person's record and consent events into that system's rows."""

from sample_data.systems import billing, crm, marketing, product, support

WRITERS = {
    "crm": crm.write,
    "billing": billing.write,
    "support": support.write,
    "marketing": marketing.write,
    "product": product.write,
}
