pytest_plugins = ["tests.fixtures.cli", "pytester"]
