package lint

import (
	"github.com/mtlslint/mtlslint/internal/config"
	"github.com/mtlslint/mtlslint/rules"
)

// mergeConfig lays opts (the command line) over the root's configuration
// c: --select replaces the file's select, list options add up, settings
// given on the command line win. Excludes are not merged: Run applies
// every configuration's excludes relative to its own directory.
func mergeConfig(opts Options, c *config.Config) Options {
	if c == nil {
		return opts
	}
	if len(opts.Select) == 0 {
		opts.Select = c.Select
	}
	opts.ExtendSelect = append(append([]string{}, c.ExtendSelect...), opts.ExtendSelect...)
	opts.Ignore = append(append([]string{}, c.Ignore...), opts.Ignore...)
	opts.Settings = mergeSettings(opts.Settings, c)
	return opts
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// Selection returns the rules enabled under the configuration cfg (nil:
// none) with the command line's choices laid over it, as Run computes
// them for the files cfg applies to: --select replaces the file's select,
// extend-select and ignore add up. An unknown code in cfg is an error with
// its file and line.
func Selection(cfg *config.Config, sel, extend, ignore []string) ([]*rules.Rule, error) {
	extend = append([]string{}, extend...)
	ignore = append([]string{}, ignore...)
	if cfg != nil {
		if err := validateCodes(cfg); err != nil {
			return nil, err
		}
		if len(sel) == 0 {
			sel = cfg.Select
		}
		extend = append(append([]string{}, cfg.ExtendSelect...), extend...)
		ignore = append(append([]string{}, cfg.Ignore...), ignore...)
	}
	return Selected(sel, extend, ignore)
}
