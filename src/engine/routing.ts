/**
 * Language → Slack channel. Routing is data: the routes admins set with `/inbox route`, then the
 * default channel. A language with no route, or no language at all, goes to the default channel.
 */

/** The Slack channel for a conversation in `language`. */
export function routeFor(language: string | undefined, routes: Readonly<Record<string, string>>, defaultChannel: string): string {
  if (!language) return defaultChannel;
  const exact = routes[language];
  if (exact) return exact;
  // A route for `zh` covers both scripts, so a team with one Chinese channel needs one route.
  const primary = language.split('-')[0];
  return (primary && routes[primary]) || defaultChannel;
}

/** The languages that have a route: the candidates the detector chooses among. */
export function routedLanguages(routes: Readonly<Record<string, string>>): string[] {
  const languages = new Set(Object.keys(routes));
  if (languages.has('zh')) {
    languages.add('zh-Hans');
    languages.add('zh-Hant');
  }
  return [...languages];
}
