package signalwire

import (
	"encoding/base64"
	"net/url"
)

// secretForms returns the byte strings that give the credentials away: the
// token, the Basic value (base64 of project:token) and the token in base64
// (padded or not, standard or URL alphabet) and URL encodings. Forms shorter
// than 8 bytes are left out: they would match ordinary text.
func secretForms(c Credentials) [][]byte {
	if c.APIToken == "" {
		return nil
	}
	basic := c.ProjectID + ":" + c.APIToken
	candidates := []string{
		c.APIToken,
		url.QueryEscape(c.APIToken),
		url.PathEscape(c.APIToken),
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		candidates = append(candidates, enc.EncodeToString([]byte(c.APIToken)), enc.EncodeToString([]byte(basic)))
	}
	forms := make([][]byte, 0, len(candidates))
	seen := make(map[string]bool, len(candidates))
	for _, f := range candidates {
		if len(f) >= 8 && !seen[f] {
			seen[f] = true
			forms = append(forms, []byte(f))
		}
	}
	return forms
}
