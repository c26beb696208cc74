package lint

import (
	"github.com/mtlslint/mtlslint/internal/config"
)

// ApplyConfig finds and loads the configuration file (unless opts carries
// one or NoConfig is set) and merges it into opts: values given in opts
// (the command line) win over the file's.
func ApplyConfig(opts Options) (Options, error) {
	if opts.Config == nil && !opts.NoConfig {
		p := opts.ConfigPath
		if p == "" {
			root := opts.Root
			if root == "" {
				root = "."
			}
			found, err := config.Find(root)
			if err != nil {
				return opts, err
			}
			p = found
		}
		if p != "" {
			cfg, err := config.Load(p)
			if err != nil {
				return opts, err
			}
			opts.Config = cfg
		}
	}
	return mergeConfig(opts, opts.Config, true), nil
}

// mergeConfig lays opts (the command line) over the configuration c:
// --select replaces the file's select, list options add up, settings given
// on the command line win. Excludes are merged only when withExclude is
// set (Run applies every configuration's excludes relative to its own
// directory instead).
func mergeConfig(opts Options, c *config.Config, withExclude bool) Options {
	if c == nil {
		return opts
	}
	if len(opts.Select) == 0 {
		opts.Select = c.Select
	}
	opts.ExtendSelect = append(append([]string{}, c.ExtendSelect...), opts.ExtendSelect...)
	opts.Ignore = append(append([]string{}, c.Ignore...), opts.Ignore...)
	if withExclude {
		opts.Exclude = append(append([]string{}, c.Exclude...), opts.Exclude...)
	}
	opts.Settings = mergeSettings(opts.Settings, c)
	return opts
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
