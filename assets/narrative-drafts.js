/* Narrative drafts: what leadership typed and has not saved, kept in this tab's session storage (a dcc.Store) per
   figure, so that changing the indicator, quarter or area does not lose it; the editor puts a draft back when its
   figure is shown again. Named clientside functions: no inline script, so the CSP stays hash-only. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  impactNarratives: {
    // The boxes' texts as the figure's draft, or no draft where they are its saved texts.
    keepDraft: function (english, bangla, current, drafts) {
      if (!current || english === undefined || bangla === undefined) {
        return window.dash_clientside.no_update;
      }
      const next = Object.assign({}, drafts || {});
      if (english === current.saved.en && bangla === current.saved.bn) {
        delete next[current.key];
      } else {
        next[current.key] = {en: english, bn: bangla};
      }
      return next;
    },
    // "Put back the saved text": the boxes take the saved texts again (which ends the draft), and the button goes.
    putBack: function (clicks, current) {
      if (!clicks || !current) {
        return [window.dash_clientside.no_update, window.dash_clientside.no_update, true];
      }
      return [current.saved.en, current.saved.bn, true];
    }
  }
});
