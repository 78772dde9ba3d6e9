"""Localized prices: `GET /products/price` and `GET /products/price/{path}`.

A country is priced in its currency. A product's explicit price in that currency
is used as it is; otherwise its price in the product's base currency (USD when it
has one) is converted through the store's exchange-rate table, which fixtures and
the control plane can set. FastSpring converts with daily rates and a markup; the
emulator uses a fixed, documented table instead so that prices are reproducible
(docs/fidelity.md, "Prices").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.domain.catalog import Product
from emulator.domain.codes import COUNTRIES
from emulator.domain.errors import Invalid
from emulator.domain.formats import display_money, round_money

# Each country the emulator prices in, and its currency. Countries not listed are
# priced in USD.
COUNTRY_CURRENCY = {
    "US": "USD",
    "PR": "USD",
    "CA": "CAD",
    "MX": "USD",
    "BR": "BRL",
    "GB": "GBP",
    "IE": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "BE": "EUR",
    "AT": "EUR",
    "FI": "EUR",
    "PT": "EUR",
    "CH": "CHF",
    "SE": "SEK",
    "DK": "DKK",
    "NO": "NOK",
    "PL": "PLN",
    "JP": "JPY",
    "KR": "KRW",
    "CN": "CNY",
    "IN": "INR",
    "AU": "AUD",
    "NZ": "NZD",
    "SG": "SGD",
}
# Units of each currency per US dollar.
DEFAULT_RATES = {
    "USD": 1.0,
    "EUR": 0.9,
    "GBP": 0.8,
    "CAD": 1.35,
    "AUD": 1.5,
    "NZD": 1.65,
    "JPY": 150.0,
    "CHF": 0.9,
    "SEK": 10.5,
    "DKK": 6.8,
    "NOK": 10.5,
    "PLN": 4.0,
    "BRL": 5.0,
    "INR": 83.0,
    "CNY": 7.2,
    "KRW": 1300.0,
    "SGD": 1.35,
}
_CURRENCY = re.compile(r"[A-Z]{3}")


class ExchangeRates:
    """Units of each currency per US dollar; a store's own copy."""

    def __init__(self) -> None:
        self.rates = dict(DEFAULT_RATES)

    def set(self, raw: object) -> None:
        """Replace the given currencies' rates (others keep theirs); USD stays 1."""
        if not isinstance(raw, Mapping) or not raw:
            raise Invalid({"rates": "rates must map currency codes to positive numbers"})
        parsed = {}
        for currency, rate in raw.items():
            if (
                not isinstance(currency, str)
                or not _CURRENCY.fullmatch(currency)
                or isinstance(rate, bool)
                or not isinstance(rate, (int, float))
                or not 0 < rate < 10**7
            ):
                raise Invalid({"rates": f"rate for {currency} must be a positive number"})
            if currency == "USD" and rate != 1:
                raise Invalid({"rates": "USD is the reference currency; its rate is 1"})
            parsed[currency] = float(rate)
        self.rates.update(parsed)

    def convert(self, amount: float, source: str, target: str) -> float | None:
        if source == target:
            return amount
        if source not in self.rates or target not in self.rates:
            return None
        return round_money(amount / self.rates[source] * self.rates[target], target)


def price_in(prices: Mapping[str, float], currency: str, rates: ExchangeRates) -> float | None:
    """The explicit price, else the base price converted."""
    if currency in prices:
        return prices[currency]
    if not prices:
        return None
    base = "USD" if "USD" in prices else next(iter(prices))
    return rates.convert(prices[base], base, currency)


def _tiers(product: Product, price: float, currency: str) -> dict[str, Any] | None:
    raw = product.pricing.extra.get("quantityDiscounts")
    if not isinstance(raw, Mapping) or not raw:
        return None
    tiers = {}
    for quantity, percent in raw.items():
        if isinstance(percent, bool) or not isinstance(percent, (int, float)):
            continue
        value = round_money(price * percent / 100, currency)
        unit = round_money(price - value, currency)
        tiers[str(quantity)] = {
            "discountPercent": percent,
            "discountValue": value,
            "discountValueDisplay": display_money(value, currency),
            "unitPrice": unit,
            "unitPriceDisplay": display_money(unit, currency),
        }
    return tiers or None


def country_price(
    product: Product, country: str, currency: str | None, rates: ExchangeRates
) -> dict[str, Any]:
    """One country's entry of a product's `pricing` (the 2026 reference shape)."""
    currency = currency or COUNTRY_CURRENCY.get(country, "USD")
    price = price_in(product.pricing.price, currency, rates)
    if price is None:
        raise Invalid({"currency": "Invalid currency"})
    extra = product.pricing.extra
    setup_fee = product.pricing.setup_fee
    fee = price_in(setup_fee["price"], currency, rates) if setup_fee else None
    period_count = extra.get("discountDuration")
    return {
        "currency": currency,
        "price": price,
        "display": display_money(price, currency),
        "quantityDiscount": _tiers(product, price, currency),
        "discountReason": extra.get("discountReason")
        if isinstance(extra.get("discountReason"), Mapping)
        else None,
        "discountPeriodCount": period_count
        if isinstance(period_count, int) and not isinstance(period_count, bool)
        else None,
        "available": extra.get("dateLimits")
        if isinstance(extra.get("dateLimits"), Mapping)
        else None,
        "setupFeePrice": fee,
        "setupFeePriceDisplay": None if fee is None else display_money(fee, currency),
        "setupFeeReason": setup_fee.get("title") or None if setup_fee else None,
    }


def parse_place(country: str | None, currency: str | None) -> tuple[list[str], str | None]:
    """The countries a price query covers and the currency it forces."""
    if currency is not None and (not _CURRENCY.fullmatch(currency)):
        raise Invalid({"currency": "Invalid currency"})
    if country is None:
        return list(COUNTRY_CURRENCY), currency
    if country.upper() not in COUNTRIES:
        raise Invalid({"country": "Invalid country"})
    return [country.upper()], currency


def product_pricing(
    product: Product, countries: list[str], currency: str | None, rates: ExchangeRates
) -> dict[str, Any]:
    return {country: country_price(product, country, currency, rates) for country in countries}
