"""The scenario tests S01–S11, AUTH and API, shipped in the package.

Run them with ``kvconform run`` or ``pytest --pyargs conformance.scenarios --kv-target URL``.
"""
