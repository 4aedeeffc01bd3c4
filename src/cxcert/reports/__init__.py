"""Reports auditors expect (Excel workbooks): adapters that lay out what the core computed."""
