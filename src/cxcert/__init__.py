"""cxcert: contact-centre certification and performance management, the COPC way."""

__version__ = "0.1.0"
