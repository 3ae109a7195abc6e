package spec

// WordOpt returns option o (a Word) as written, or o's default when
// absent. The caller checks the value: an inner spec is parsed by its own
// registry, a choice compared with its allowed words.
func (s *Spec) WordOpt(o Option) string {
	if v, ok := s.get(o.Name); ok {
		return v
	}
	return o.Default
}
