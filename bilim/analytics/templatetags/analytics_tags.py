"""Filters of the analytics pages: ``{{ value|pct }}``, ``{{ value|avg }}``, ``{{ value|num }}``,
``{{ metrics|measure:"quality" }}`` — numbers in the page's language, "—" for no value."""

from django import template

from .. import display

register = template.Library()


@register.filter
def pct(value):
    return display.percent(value)


@register.filter
def avg(value):
    return display.average(value)


@register.filter
def num(value):
    return display.number(value)


@register.filter
def measure(metrics, name):
    return display.measure(metrics, name)
