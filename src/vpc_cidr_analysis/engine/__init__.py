"""The local engine: Athena (Trino) SQL translated to DuckDB and run over flow-log files.

`local` runs a query (`LocalEngine`), `sources` finds and reads the files of every S3 layout,
`translate` turns Athena SQL into DuckDB SQL with Trino's semantics. Never ships to Lambda.
"""
