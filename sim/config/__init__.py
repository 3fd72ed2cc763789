"""The language of scenario files: YAML loading with `extends:` and overrides, units,
distributions, strict models whose defaults carry their sources; and the settings of the world,
the teams, the categories and the incidents. The scenario that composes them with every other
part's settings is `sim.scenario`."""
