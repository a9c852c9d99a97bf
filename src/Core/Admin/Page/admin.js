// The gateway's admin page: reads /manage/providers, /manage/overrides and /manage/stats, writes
// PUT /manage/overrides. The admin key lives in this tab's session storage and travels only in the
// Authorization header. No inline handlers or styles: the page's CSP allows scripts from this origin only.
(() => {
  'use strict';

  const keyName = 'gateway.adminKey';
  const statsEveryMs = 3000;
  const byId = (id) => document.getElementById(id);

  let providers = [];
  let models = [];
  let documentDraft = {}; // alias -> { targets: [...] }: the stored document plus unsaved edits
  let statsTimer = null;
  let editorDirty = false; // the editor holds changes not yet in the draft

  async function call(method, path, body) {
    const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(keyName) };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }

    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    let json = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }

    return { status: response.status, json };
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }

    if (className) {
      node.className = className;
    }

    return node;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) {
        td.appendChild(cell);
      } else {
        td.textContent = cell === undefined || cell === null ? '' : String(cell);
      }

      tr.appendChild(td);
    }

    return tr;
  }

  function showLogin(message) {
    byId('app').hidden = true;
    byId('sign-out').hidden = true;
    byId('login').hidden = false;
    const error = byId('login-error');
    error.textContent = message || '';
    error.hidden = !message;
    if (statsTimer !== null) {
      clearInterval(statsTimer);
      statsTimer = null;
    }
  }

  async function signIn(key) {
    sessionStorage.setItem(keyName, key);
    const providersAnswer = await call('GET', '/manage/providers');
    if (providersAnswer.status !== 200) {
      sessionStorage.removeItem(keyName);
      showLogin(providersAnswer.status === 401 ? 'That is not the admin key.' : 'The gateway answered ' + providersAnswer.status + '.');
      return;
    }

    byId('login').hidden = true;
    byId('app').hidden = false;
    byId('sign-out').hidden = false;
    applyProviders(providersAnswer.json);
    await loadOverrides();
    await refreshStats();
    statsTimer = setInterval(refreshStats, statsEveryMs);
  }

  function signOut() {
    sessionStorage.removeItem(keyName);
    byId('admin-key').value = '';
    showLogin('');
  }

  async function loadProviders() {
    const answer = await call('GET', '/manage/providers');
    if (answer.status === 401) {
      signOut();
      return;
    }

    if (answer.status === 200) {
      applyProviders(answer.json);
    }
  }

  function applyProviders(json) {
    providers = json.providers || [];
    models = json.models || [];
    renderProviders();
    renderModels();
  }

  async function loadOverrides() {
    const answer = await call('GET', '/manage/overrides');
    if (answer.status !== 200) {
      setStatus('Could not read the overrides (' + answer.status + ').', true);
      return;
    }

    documentDraft = stripDocument(answer.json.overrides || {});
    if (answer.json.degraded) {
      setStatus('The state store is degraded: saving is refused until it is back.', true);
    }

    renderAliasList();
    renderPreview();
  }

  function stripDocument(overrides) {
    const result = {};
    for (const [alias, entry] of Object.entries(overrides)) {
      result[alias] = { targets: (entry.targets || []).map((t) => cleanTarget(t)) };
    }

    return result;
  }

  function cleanTarget(target) {
    const clean = { provider: target.provider };
    if (target.model) {
      clean.model = target.model;
    }

    if (target.weight !== undefined && target.weight !== null && target.weight !== '') {
      clean.weight = Number(target.weight);
    }

    if (target.channel) {
      clean.channel = target.channel;
    }

    return clean;
  }

  function renderProviders() {
    const body = byId('providers-table').tBodies[0];
    body.replaceChildren();
    for (const provider of providers) {
      const ids = (provider.models && provider.models.ids) || [];
      const modelText = (provider.models ? provider.models.source : '') + ': ' + ids.length + ' model' + (ids.length === 1 ? '' : 's') +
        (ids.length ? ' (' + ids.slice(0, 8).join(', ') + (ids.length > 8 ? ', …' : '') + ')' : '') +
        (provider.models && provider.models.fetched_at ? ', fetched ' + provider.models.fetched_at : '');
      const health = document.createElement('div');
      const targets = provider.targets || [];
      if (targets.length === 0) {
        health.appendChild(element('span', 'no failures seen', 'badge good'));
      }

      for (const target of targets) {
        const cooling = target.cooldown_seconds > 0;
        const text = target.model + ': ' + target.circuit + (cooling ? ', cooling ' + Math.ceil(target.cooldown_seconds) + ' s' : '');
        health.appendChild(element('span', text, 'badge ' + (cooling || target.circuit !== 'closed' ? 'bad' : 'good')));
      }

      const tr = row([provider.id, provider.kind, provider.base_url, modelText, health, provider.in_flight + ' / ' + (provider.max_concurrency || '∞')]);
      tr.dataset.provider = provider.id;
      body.appendChild(tr);
    }
  }

  function renderModels() {
    const body = byId('models-table').tBodies[0];
    body.replaceChildren();
    for (const model of models) {
      const targets = (model.targets || []).map((t) => t.provider + '/' + t.model + ' ×' + t.weight + (t.channel ? ' [' + t.channel + ']' : '')).join(', ');
      const edit = element('button', 'Edit');
      edit.type = 'button';
      edit.addEventListener('click', () => editAlias(model.id, model.targets || []));
      const tr = row([model.id, model.source, targets, edit]);
      tr.dataset.model = model.id;
      body.appendChild(tr);
    }

    renderAliasList();
  }

  function renderAliasList() {
    const list = byId('alias-list');
    list.replaceChildren();
    const seen = new Set();
    for (const id of Object.keys(documentDraft).concat(models.map((m) => m.id))) {
      if (!seen.has(id)) {
        seen.add(id);
        const option = document.createElement('option');
        option.value = id;
        list.appendChild(option);
      }
    }
  }

  // Loads an alias into the editor: its override if there is one, else its current targets.
  function editAlias(alias, currentTargets) {
    commitEditor();
    editorDirty = false;
    byId('alias').value = alias;
    const targets = documentDraft[alias] ? documentDraft[alias].targets : currentTargets.map((t) => cleanTarget(t));
    const body = byId('targets-table').tBodies[0];
    body.replaceChildren();
    for (const target of targets) {
      addTargetRow(target);
    }

    if (targets.length === 0) {
      addTargetRow({});
    }

    renderPreview();
  }

  function addTargetRow(target) {
    const provider = document.createElement('select');
    provider.className = 'target-provider';
    for (const p of providers) {
      const option = document.createElement('option');
      option.value = p.id;
      option.textContent = p.id;
      provider.appendChild(option);
    }

    provider.value = target.provider || (providers[0] ? providers[0].id : '');
    const model = document.createElement('input');
    model.className = 'target-model';
    model.placeholder = '(the alias)';
    model.value = target.model || '';
    const weight = document.createElement('input');
    weight.className = 'target-weight';
    weight.type = 'number';
    weight.min = '0';
    weight.step = 'any';
    weight.placeholder = '(provider weight)';
    weight.value = target.weight === undefined || target.weight === null ? '' : String(target.weight);
    const channel = document.createElement('input');
    channel.className = 'target-channel';
    channel.placeholder = '(none)';
    channel.value = target.channel || '';
    const remove = element('button', 'Remove');
    remove.type = 'button';
    const tr = row([provider, model, weight, channel, remove]);
    remove.addEventListener('click', () => {
      tr.remove();
      editorDirty = true;
      renderPreview();
    });
    byId('targets-table').tBodies[0].appendChild(tr);
  }

  function editorTargets() {
    const targets = [];
    for (const tr of byId('targets-table').tBodies[0].rows) {
      targets.push(cleanTarget({
        provider: tr.querySelector('.target-provider').value,
        model: tr.querySelector('.target-model').value.trim(),
        weight: tr.querySelector('.target-weight').value.trim(),
        channel: tr.querySelector('.target-channel').value.trim(),
      }));
    }

    return targets;
  }

  // The document Save sends: the draft with the alias in the editor set to the editor's targets.
  function composed() {
    const result = {};
    for (const [alias, entry] of Object.entries(documentDraft)) {
      result[alias] = { targets: entry.targets.slice() };
    }

    const alias = byId('alias').value.trim();
    if (editorDirty && alias && byId('targets-table').tBodies[0].rows.length > 0) {
      result[alias] = { targets: editorTargets() };
    }

    return result;
  }

  function commitEditor() {
    documentDraft = composed();
    editorDirty = false;
  }

  function renderPreview() {
    byId('preview').textContent = JSON.stringify({ overrides: composed() }, null, 2);
  }

  function removeAlias() {
    const alias = byId('alias').value.trim();
    delete documentDraft[alias];
    editorDirty = false;
    byId('alias').value = '';
    byId('targets-table').tBodies[0].replaceChildren();
    renderPreview();
  }

  function setStatus(text, bad) {
    const status = byId('save-status');
    status.textContent = text;
    status.className = bad ? 'error' : 'ok';
  }

  async function save() {
    const body = { overrides: composed() };
    byId('save').disabled = true;
    try {
      const answer = await call('PUT', '/manage/overrides', body);
      if (answer.status === 200) {
        documentDraft = stripDocument(answer.json.overrides || {});
        editorDirty = false;
        setStatus(answer.json.store === 'table'
          ? 'Saved: this instance routes by it now, every other instance within its reload interval.'
          : 'Saved in this instance\'s memory (no State store): other instances do not see it, and a restart forgets it.', false);
        renderPreview();
        await loadProviders();
      } else if (answer.status === 401) {
        signOut();
      } else {
        const error = (answer.json && answer.json.error) || {};
        setStatus('Not saved (' + answer.status + '): ' + (error.message || 'unknown error') + (error.param ? ' [' + error.param + ']' : ''), true);
      }
    } finally {
      byId('save').disabled = false;
    }
  }

  function sum(counts) {
    let total = 0;
    for (const value of Object.values(counts || {})) {
      total += value;
    }

    return total;
  }

  function renderCounts(tableId, counts) {
    const body = byId(tableId).tBodies[0];
    body.replaceChildren();
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) {
      body.appendChild(row(['none yet', '']));
    }

    for (const [name, value] of entries) {
      const tr = row([name, value]);
      tr.cells[1].className = 'num';
      tr.dataset.key = name;
      body.appendChild(tr);
    }
  }

  async function refreshStats() {
    const answer = await call('GET', '/manage/stats');
    if (answer.status === 401) {
      signOut();
      return;
    }

    if (answer.status !== 200) {
      return;
    }

    const stats = answer.json;
    const requests = stats.requests || {};
    const byStatus = requests.by_status_class || {};
    byId('stat-requests').textContent = String(requests.total || 0);
    byId('stat-errors').textContent = String((byStatus['4xx'] || 0) + (byStatus['5xx'] || 0));
    byId('stat-failovers').textContent = String(sum(stats.upstream && stats.upstream.failovers));
    byId('stat-interrupted').textContent = String((stats.streams && stats.streams.interrupted) || 0);
    byId('stat-state').textContent = stats.state && stats.state.degraded ? 'degraded' : 'ok';
    renderCounts('by-end-reason', requests.by_end_reason);
    renderCounts('by-failover', stats.upstream && stats.upstream.failovers);
    renderCounts('by-provider', requests.by_provider);
    byId('counters-updated').textContent = stats.enabled === false
      ? '(telemetry is off on this gateway)'
      : 'updated ' + new Date().toLocaleTimeString();
  }

  document.addEventListener('DOMContentLoaded', () => {
    byId('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      signIn(byId('admin-key').value);
    });
    byId('sign-out').addEventListener('click', signOut);
    byId('add-target').addEventListener('click', () => {
      addTargetRow({});
      editorDirty = true;
      renderPreview();
    });
    byId('remove-override').addEventListener('click', removeAlias);
    byId('alias').addEventListener('change', () => {
      const alias = byId('alias').value.trim();
      const model = models.find((m) => m.id === alias);
      if (documentDraft[alias] || model) {
        byId('alias').value = '';
        editAlias(alias, model ? model.targets : []);
      } else {
        // A new alias: the rows in the editor (if any) become its targets.
        if (byId('targets-table').tBodies[0].rows.length === 0) {
          addTargetRow({});
        }

        editorDirty = true;
        renderPreview();
      }
    });
    byId('override-form').addEventListener('input', (event) => {
      if (event.target !== byId('alias')) {
        editorDirty = true;
      }

      renderPreview();
    });
    byId('override-form').addEventListener('submit', (event) => event.preventDefault());
    byId('save').addEventListener('click', save);
    byId('reload').addEventListener('click', async () => {
      editorDirty = false;
      byId('alias').value = '';
      byId('targets-table').tBodies[0].replaceChildren();
      await loadOverrides();
      setStatus('', false);
    });

    if (sessionStorage.getItem(keyName)) {
      signIn(sessionStorage.getItem(keyName));
    } else {
      showLogin('');
    }
  });
})();
