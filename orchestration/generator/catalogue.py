"""Static reference data the simulation draws from: products, stores, campaigns, names.

Everything here is invented. Campaign names are shared between the paid channels
(``ad_spend.campaign``) and the landing URLs (``utm_campaign``), so attribution
can be joined the way a real warehouse joins it.
"""

from __future__ import annotations

from dataclasses import dataclass

SITE = "https://shop.example.com"


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_eur: float


PRODUCTS: tuple[Product, ...] = (
    Product("SKU-1001", "Ceramic pour-over set", 34.00),
    Product("SKU-1002", "Single-origin beans 250 g", 12.50),
    Product("SKU-1003", "House blend beans 1 kg", 29.90),
    Product("SKU-1004", "Burr grinder", 89.00),
    Product("SKU-1005", "Gooseneck kettle", 59.00),
    Product("SKU-1006", "Paper filters (100)", 5.90),
    Product("SKU-1007", "Travel mug", 19.50),
    Product("SKU-1008", "Cold brew bottle", 24.00),
    Product("SKU-1009", "Espresso cups (2)", 16.00),
    Product("SKU-1010", "Digital scale", 39.00),
    Product("SKU-1011", "Loose leaf tea sampler", 14.00),
    Product("SKU-1012", "Milk frother", 45.00),
    Product("SKU-1013", "Decaf beans 250 g", 11.50),
    Product("SKU-1014", "Barista apron", 32.00),
    Product("SKU-1015", "Gift card", 25.00),
)

# Currency factors applied to the EUR list price, and the tax rate charged.
FX_FROM_EUR: dict[str, float] = {"EUR": 1.0, "GBP": 0.86, "USD": 1.08}
TAX_RATE: dict[str, float] = {"EUR": 0.21, "GBP": 0.20, "USD": 0.08}
SHIPPING_FEE: dict[str, float] = {"EUR": 4.95, "GBP": 3.95, "USD": 5.95}
FREE_SHIPPING_FROM = 50.0  # in the order currency

# store_id -> currency of its till
STORES: dict[str, str] = {
    "ST-AMS-01": "EUR",
    "ST-AMS-02": "EUR",
    "ST-BER-01": "EUR",
    "ST-LON-01": "GBP",
}


@dataclass(frozen=True)
class PaidCampaign:
    ad_channel: str
    campaign: str
    utm_source: str
    utm_medium: str
    referrer: str
    currency: str
    cpc: float  # average cost per click
    ctr: float  # clicks per impression
    weight: float  # share of paid visits


# fmt: off
PAID_CAMPAIGNS: tuple[PaidCampaign, ...] = (
    PaidCampaign(
        "google_ads", "gads_brand_search", "google", "cpc", "https://www.google.com/", "EUR",
        0.45, 0.08, 3,
    ),
    PaidCampaign(
        "google_ads", "gads_generic_search", "google", "cpc", "https://www.google.com/", "EUR",
        1.10, 0.03, 3,
    ),
    PaidCampaign(
        "google_ads", "gads_shopping", "google", "cpc", "https://www.google.com/", "EUR",
        0.70, 0.02, 2,
    ),
    PaidCampaign(
        "meta_ads", "meta_prospecting_q1", "facebook", "paid_social", "https://l.facebook.com/",
        "EUR", 0.60, 0.012, 3,
    ),
    PaidCampaign(
        "meta_ads", "meta_retargeting", "instagram", "paid_social", "https://l.instagram.com/",
        "EUR", 0.50, 0.02, 2,
    ),
    PaidCampaign(
        "linkedin_ads", "li_gifting_b2b", "linkedin", "paid_social", "https://www.linkedin.com/",
        "GBP", 2.40, 0.006, 1,
    ),
    PaidCampaign(
        "tiktok_ads", "tt_brew_challenge", "tiktok", "paid_social", "https://www.tiktok.com/",
        "USD", 0.35, 0.01, 2,
    ),
    PaidCampaign(
        "podcast_ads", "pod_morning_show_sponsor", "podcast", "audio", "", "EUR", 1.50, 0.004, 1,
    ),
)
# fmt: on

SOCIAL_PLATFORMS: tuple[str, ...] = ("instagram", "facebook", "x", "linkedin", "tiktok")
SOCIAL_CAMPAIGNS: tuple[str | None, ...] = (
    "spring_blends",
    "behind_the_roastery",
    "customer_stories",
    None,
)
# Organic social landing: utm_source per platform.
SOCIAL_REFERRERS: dict[str, str] = {
    "instagram": "https://l.instagram.com/",
    "facebook": "https://l.facebook.com/",
    "x": "https://t.co/",
    "linkedin": "https://www.linkedin.com/",
    "tiktok": "https://www.tiktok.com/",
}

AFFILIATES: tuple[str, ...] = ("AFF-COFFEEGEEK", "AFF-DEALSDAILY", "AFF-HOMEBARISTA")
REVIEW_PLATFORMS: tuple[str, ...] = ("trustpilot", "google", "shop", "app_store")
SUPPORT_CATEGORIES: tuple[str, ...] = ("delivery", "billing", "product", "account", "returns")
PLANS: dict[str, float] = {"basic": 9.00, "plus": 15.00, "premium": 24.00}  # EUR per month
APP_VERSIONS: tuple[str, ...] = ("3.4.0", "3.4.1", "3.5.0")

BLOG_PAGES: tuple[str, ...] = (
    "/blog/how-to-brew-pour-over",
    "/blog/choosing-a-grinder",
    "/blog/cold-brew-guide",
    "/blog/meet-our-farmers",
)
BROWSE_PAGES: tuple[str, ...] = (
    "/",
    "/collections/coffee",
    "/collections/equipment",
    "/collections/gifts",
    "/about",
    *BLOG_PAGES,
)

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Jane", "John", "Emma", "Liam", "Sophie", "Noah", "Olivia", "Lucas", "Mila", "Daan",
    "Anna", "Finn", "Julia", "Sem", "Sara", "Milan", "Eva", "Levi", "Tess", "Bram",
    "Lotte", "Max", "Zoe", "Jesse", "Fleur", "Thomas", "Isa", "Ruben", "Nina", "Lars",
    "Amira", "Yusuf", "Priya", "Arjun", "Mei", "Chen", "Fatima", "Omar", "Grace", "Oliver",
)
LAST_NAMES: tuple[str, ...] = (
    "Doe", "Smith", "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
    "de Boer", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Jones", "Taylor",
    "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Khan", "Patel",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann",
)
# fmt: on
EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "inbox.example",
    "post.example",
)
WORK_EMAIL_DOMAINS: tuple[str, ...] = ("acme.example", "globex.example", "initech.example")

SURVEY_COMMENTS: dict[str, tuple[str, ...]] = {
    "good": ("Great coffee, fast delivery.", "Love the beans!", "Friendly staff.", ""),
    "bad": ("Delivery was late.", "Grinder broke after a week.", "Too expensive.", ""),
}
