"""mvpgen: from a business problem and a data extract to an honest ML MVP."""

__version__ = "0.2.0"
