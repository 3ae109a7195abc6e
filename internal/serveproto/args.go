package serveproto

import "flag"

// argsOf returns command followed by "--name=value" for every flag that
// bind registers whose value differs from the one bindDefault registers,
// in flag-name order. Flags left at their default are not written, so an
// older server build that lacks a newer flag still accepts the arguments
// as long as the launcher leaves that flag at its default.
func argsOf(command string, bind, bindDefault func(*flag.FlagSet)) []string {
	got := flag.NewFlagSet(command, flag.ContinueOnError)
	def := flag.NewFlagSet(command, flag.ContinueOnError)
	bind(got)
	bindDefault(def)
	args := []string{command}
	got.VisitAll(func(f *flag.Flag) {
		if v := f.Value.String(); v != def.Lookup(f.Name).Value.String() {
			args = append(args, "--"+f.Name+"="+v)
		}
	})
	return args
}
