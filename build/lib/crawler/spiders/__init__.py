"""Spiders of the wuzha Scrapy project (``scrapy list``)."""
