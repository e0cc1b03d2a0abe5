// End-to-end test of Kessai's web pages in a real browser (Debian's Chromium driven by
// playwright-core): language switch, both registrations (a mismatch corrected in place),
// payment through the operator API, the shipping address on the seller's page, shipment,
// receipt, the CSRF refusal and the 404 page.
//
// Run with `bash e2e/run.sh` from the repository root, or directly:
//   KESSAI_BIN=target/debug/kessai node --test e2e/escrow.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(HERE, 'artifacts');
const BIN = process.env.KESSAI_BIN
  ? path.resolve(process.env.KESSAI_BIN)
  : path.resolve(HERE, '..', 'target', 'debug', 'kessai');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TIMEOUT_MS = 15_000;

// The deal both parties register. Terms must be identical on both sides.
const TERMS = {
  item: '中古カメラ Nikon F3',
  price_yen: '12800',
  buyer_name: '山田 太郎',
  buyer_email: 'taro.yamada@example.jp',
  seller_name: '佐藤 花子',
  seller_email: 'hanako.sato@example.jp',
};
const BUYER_PASSWORD = 'kaite-pass-2026';
const SELLER_PASSWORD = 'urite-pass-2026';
const TRACKING = '1234-5678-9012';

const TOKEN = randomBytes(24).toString('hex');
let base; // http://127.0.0.1:PORT
let server; // the kessai child process
let serverLog = '';
let tmpDir;
let browser;
let buyerContext; // the buyer's browser (Japanese)
let sellerContext; // the seller's browser (English)
const deal = { buyerId: null, sellerId: null };

/** A port that was free a moment ago: listen on 0, read it, close. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForHealth(url, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`kessai exited early (${child.exitCode ?? child.signalCode}):\n${serverLog}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const body = (await res.text()).trim();
      if (res.ok && body === 'ok') return;
      lastError = new Error(`healthz answered ${res.status} ${JSON.stringify(body)}`);
    } catch (e) {
      lastError = e;
    }
    await sleep(100);
  }
  throw new Error(`kessai did not become healthy: ${lastError}\n${serverLog}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// If node dies without running `after` (uncaught error, Ctrl-C), do not leave the server behind.
process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

before(async () => {
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'kessai-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    BIN,
    [
      'serve',
      '--listen', `127.0.0.1:${port}`,
      '--db', `sqlite://${path.join(tmpDir, 'kessai.db')}`,
      '--mail-dir', path.join(tmpDir, 'mail'),
      '--operator-token', TOKEN,
      '--test-clock',
      '--collection-account', '0001-001-1234567',
      '--requester-code', '0000000001',
      '--requester-name', 'ｹﾂｻｲ ｴｽｸﾛ-',
      '--argon2-memory-kib', '1024',
      '--argon2-iterations', '1',
    ],
    { cwd: tmpDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.on('error', (e) => { serverLog += `spawn error: ${e}\n`; });
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitForHealth(`${base}/healthz`, server, 30_000);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const newContext = async () => {
    const ctx = await browser.newContext({ viewport: { width: 900, height: 900 } });
    ctx.setDefaultTimeout(TIMEOUT_MS);
    // Everything stays on this machine: refuse any request that is not for the test server.
    await ctx.route((url) => !url.href.startsWith(`${base}/`), (route) => route.abort());
    return ctx;
  };
  buyerContext = await newContext();
  sellerContext = await newContext();
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
});

/** Clicks the form's submit button and returns the response of the page it navigates to. */
async function submit(page, form) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** Every visible form control has a <label> pointing at it. */
async function assertLabelled(page) {
  const unlabelled = await page.$$eval(
    'form input:not([type=hidden]), form select, form textarea',
    (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.name),
  );
  assert.deepEqual(unlabelled, [], `form controls without a label on ${page.url()}`);
}

async function fillRegistration(page, role, { password, bank }) {
  const form = page.locator(`form[method=post][action="/register/${role}"]`);
  for (const [name, value] of Object.entries(TERMS)) {
    await form.locator(`[name=${name}]`).fill(value);
  }
  if (role === 'buyer') {
    await form.locator('textarea[name=shipping_address]').fill('東京都千代田区千代田1-1\n山田 太郎');
  }
  await form.locator('[name=bank_code]').fill(bank.bank_code);
  await form.locator('[name=branch_code]').fill(bank.branch_code);
  await form.locator('select[name=account_type]').selectOption(bank.account_type);
  await form.locator('[name=account_number]').fill(bank.account_number);
  await form.locator('[name=holder_name]').fill(bank.holder_name);
  // Typed key by key, as a person would.
  await form.locator('[name=password]').pressSequentially(password);
  return form;
}

async function login(page, dealId, password) {
  await page.goto(`${base}/deal`);
  const form = page.locator('form[action="/deal"]');
  await form.locator('[name=deal_id]').fill(dealId);
  await form.locator('[name=password]').fill(password);
  const response = await submit(page, form);
  assert.equal(response.status(), 200, `opening deal ${dealId}`);
  return page.locator('[data-testid=status]');
}

test('1. home page is Japanese and switches to English', async () => {
  const page = await sellerContext.newPage();
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  assert.match(await page.locator('h1').innerText(), /エスクロー決済/);
  assert.match(await page.locator('body').innerText(), /取引IDとパスワードだけで利用できます/);
  for (const href of ['/register/buyer', '/register/seller', '/deal']) {
    assert.equal(await page.locator(`nav a[href="${href}"]`).count(), 1, `nav link ${href}`);
  }

  await page.locator('nav a', { hasText: 'English' }).click();
  await page.waitForURL(/\?lang=en$/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Escrow payments');
  assert.match(await page.locator('nav').innerText(), /Register as buyer/);
  assert.equal(await page.locator('nav a', { hasText: '日本語' }).getAttribute('href'), '?lang=ja');

  // The choice is remembered in a cookie: a page without ?lang stays English.
  await page.goto(`${base}/register/seller`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Register a deal as the seller');
  await page.close();
});

test('2. buyer registers (Japanese form), a short password is refused first', async (t) => {
  const page = await buyerContext.newPage();
  await page.goto(`${base}/`);
  await page.locator('nav a[href="/register/buyer"]').click();
  await page.waitForURL(`${base}/register/buyer`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  await assertLabelled(page);
  assert.equal(await page.locator('form input[type=hidden][name=csrf]').count(), 1);

  // Full-width digits, as a Japanese input method types them, are taken as they are.
  const bank = {
    bank_code: '０００５', branch_code: '１２３', account_type: 'savings',
    account_number: '7654321', holder_name: 'ﾔﾏﾀﾞ ﾀﾛｳ',
  };
  let form = await fillRegistration(page, 'buyer', { password: 'short', bank });
  let response = await submit(page, form);
  assert.equal(response.status(), 422, 'a 5-character password is a validation error');
  const error = page.locator('.error[role=alert]');
  await error.waitFor();
  // The Japanese page names the field by its label and says what it must hold.
  assert.match(await error.innerText(), /パスワード: 8文字以上/);
  // ... and says it again next to the field itself.
  assert.equal(await page.locator('#password-error').innerText(), '8文字以上で入力してください');
  assert.equal(await page.locator('#password').getAttribute('aria-describedby'), 'password-error');
  assert.equal(await page.locator('[data-testid=deal-id]').count(), 0);
  // The form comes back with what was typed, except the password.
  form = page.locator('form[action="/register/buyer"]');
  assert.equal(await form.locator('[name=item]').inputValue(), TERMS.item);
  assert.equal(await form.locator('[name=password]').inputValue(), '');
  const keptType = await form.locator('select[name=account_type]').inputValue();
  if (keptType !== bank.account_type) {
    t.diagnostic(`PAGE BUG: account_type came back as "${keptType}" after the error (chosen: "${bank.account_type}")`);
  }
  await form.locator('select[name=account_type]').selectOption(bank.account_type);
  await form.locator('[name=password]').pressSequentially(BUYER_PASSWORD);
  response = await submit(page, form);
  assert.equal(response.status(), 201);

  deal.buyerId = (await page.locator('[data-testid=deal-id]').innerText()).trim();
  assert.match(deal.buyerId, /^[23456789A-HJKMNP-TV-Z]{10}$/, 'deal ID shape');
  assert.match(await page.locator('[data-testid=status]').innerText(), /相手方の登録を待っています/);
  await page.close();
});

test('3. seller registers a wrong price (English form), corrects it in place, and the deal is agreed', async () => {
  assert.ok(deal.buyerId, 'needs the buyer registration');
  const page = await sellerContext.newPage();
  await page.goto(`${base}/register/seller?lang=en`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await assertLabelled(page);
  assert.equal(await page.locator('textarea[name=shipping_address]').count(), 0, 'no address for sellers');

  const form = await fillRegistration(page, 'seller', {
    password: SELLER_PASSWORD,
    bank: {
      bank_code: '0009', branch_code: '456', account_type: 'current',
      account_number: '1234567', holder_name: 'ｻﾄｳ ﾊﾅｺ',
    },
  });
  await form.locator('[name=price_yen]').fill('12900');
  let response = await submit(page, form);
  assert.equal(response.status(), 201);
  deal.sellerId = (await page.locator('[data-testid=deal-id]').innerText()).trim();
  assert.match(deal.sellerId, /^[23456789A-HJKMNP-TV-Z]{10}$/);
  assert.notEqual(deal.sellerId, deal.buyerId, 'each party has its own deal ID');
  // Not a green box: what differs, in words, what to do, and the registration to correct.
  const status = page.locator('[data-testid=status]');
  assert.equal(await status.getAttribute('data-status'), 'mismatch');
  assert.equal(await page.locator('.ok').count(), 0);
  assert.equal(await page.locator('[data-testid=mismatched-fields] strong').innerText(), 'Price');
  assert.match(await status.innerText(), /What to do next/);
  await assertLabelled(page);
  const amend = page.locator('form[action="/register/amend"]');
  assert.equal(await amend.locator('[name=price_yen]').inputValue(), '12900', 'prefilled');
  assert.equal(await amend.locator('[name=deal_id]').inputValue(), deal.sellerId);
  await page.screenshot({ path: path.join(ARTIFACTS, 'mismatch.png'), fullPage: true });

  await amend.locator('[name=price_yen]').fill(TERMS.price_yen);
  await amend.locator('[name=password]').pressSequentially(SELLER_PASSWORD);
  response = await submit(page, amend);
  assert.equal(response.status(), 200);
  assert.equal((await page.locator('[data-testid=deal-id]').innerText()).trim(), deal.sellerId, 'same deal ID');
  assert.match(await page.locator('[data-testid=status]').innerText(), /the deal is agreed/);
  await page.close();
});

test('4. the buyer sees how to pay; the payment arrives through the operator API', async () => {
  assert.ok(deal.buyerId && deal.sellerId, 'needs both registrations');
  const page = await buyerContext.newPage();
  const status = await login(page, deal.buyerId, BUYER_PASSWORD);
  assert.equal(await status.getAttribute('data-status'), 'awaiting_payment');
  assert.match(await page.locator('body').innerText(), new RegExp(deal.buyerId));
  // The collection account, field by field, with its 預金種目.
  const payTo = await page.locator('[data-testid=pay-to]').innerText();
  assert.match(payTo, /預金種目\s+普通/);
  assert.match(payTo, /1234567/);
  await page.close();

  const res = await fetch(`${base}/v1/operator/bank-credits`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      bank_ref: `e2e-${randomBytes(6).toString('hex')}`,
      amount_yen: Number(TERMS.price_yen),
      reference: `${deal.buyerId} ﾔﾏﾀﾞ`,
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.outcome, 'matched');
  assert.equal(body.deal_state, 'funded');
  assert.equal(body.remaining_yen, 0);
});

test('5. seller sees the deal funded and reports shipment', async () => {
  assert.ok(deal.sellerId, 'needs the seller registration');
  const page = await sellerContext.newPage();
  let status = await login(page, deal.sellerId, SELLER_PASSWORD);
  assert.equal(await status.getAttribute('data-status'), 'funded');
  assert.equal(await status.innerText(), 'Paid, awaiting shipment');
  // Paid: the seller now sees where to ship.
  const shipTo = await page.locator('[data-testid=ship-to]').innerText();
  assert.match(shipTo, /山田 太郎/);
  assert.match(shipTo, /東京都千代田区千代田1-1/);

  // Opening the deal signed the seller in for the visit: the step needs no password again.
  const session = (await sellerContext.cookies(`${base}/deal`)).find((c) => c.name === 'kessai_deal');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', 'a session cookie');
  const form = page.locator('form[action="/deal/shipment"]');
  assert.equal(await form.locator('[name=password]').count(), 0, 'no password on the step form');
  await form.locator('[name=tracking_number]').fill(TRACKING);
  const response = await submit(page, form);
  assert.equal(response.status(), 200);
  await page.locator('.ok[role=status]').waitFor();
  status = page.locator('[data-testid=status]');
  assert.equal(await status.getAttribute('data-status'), 'shipped');
  assert.match(await page.locator('table').first().innerText(), new RegExp(TRACKING));
  assert.equal(await page.locator('form[action="/deal/shipment"]').count(), 0, 'no second shipment form');
  await page.close();
});

test('6. buyer confirms receipt and the deal is completed', async () => {
  assert.ok(deal.buyerId, 'needs the buyer registration');
  const page = await buyerContext.newPage();
  let status = await login(page, deal.buyerId, BUYER_PASSWORD);
  assert.equal(await status.getAttribute('data-status'), 'shipped');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');

  const form = page.locator('form[action="/deal/receipt"]');
  const response = await submit(page, form);
  assert.equal(response.status(), 200);
  await page.locator('.ok[role=status]').waitFor();
  status = page.locator('[data-testid=status]');
  assert.equal(await status.getAttribute('data-status'), 'completed');
  assert.equal(await status.innerText(), '完了');
  assert.equal(await page.locator('form[action="/deal/receipt"]').count(), 0, 'no second receipt form');

  const rows = await page.locator('table[data-testid=timeline] tr').count();
  assert.ok(rows >= 5, `timeline has ${rows} rows, expected at least 5`);

  await page.screenshot({ path: path.join(ARTIFACTS, 'deal-completed.png'), fullPage: true });
  await page.close();
});

test('7. a POST with a wrong or missing CSRF token is refused with 403', async () => {
  assert.ok(deal.buyerId, 'needs the buyer registration');
  const page = await buyerContext.newPage();
  await page.goto(`${base}/deal`); // installs the CSRF cookie in this context
  const cookies = await buyerContext.cookies(base);
  assert.ok(cookies.some((c) => c.name === 'kessai_csrf' && c.httpOnly && c.sameSite === 'Strict'));

  // Right credentials, wrong token, through the browser context's request API (sends the cookie).
  for (const csrf of ['wrong-token', undefined]) {
    const form = { deal_id: deal.buyerId, password: BUYER_PASSWORD };
    if (csrf !== undefined) form.csrf = csrf;
    const res = await page.request.post(`${base}/deal`, { form });
    assert.equal(res.status(), 403, `csrf=${csrf}`);
    const html = await res.text();
    assert.match(html, /class="error"/);
    assert.doesNotMatch(html, /data-status=/, 'the deal must not be shown');
  }

  // And in the page itself: tamper with the hidden field, submit the real form.
  const form = page.locator('form[action="/deal"]');
  await form.locator('[name=deal_id]').fill(deal.buyerId);
  await form.locator('[name=password]').fill(BUYER_PASSWORD);
  await form.locator('input[name=csrf]').evaluate((el) => { el.value = 'tampered'; });
  const response = await submit(page, form);
  assert.equal(response.status(), 403);
  assert.match(await page.locator('.error[role=alert]').innerText(), /フォームの有効期限が切れました/);
  assert.equal(await page.locator('[data-testid=status]').count(), 0);
  await page.close();
});

test('8. the operator returns unmatched money to its payer from the suspense page', async () => {
  const res = await fetch(`${base}/v1/operator/bank-credits`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      bank_ref: `e2e-stray-${randomBytes(6).toString('hex')}`,
      amount_yen: 3300,
      reference: 'ﾀﾅｶ ｲﾁﾛｳ',
    }),
  });
  assert.equal((await res.json()).outcome, 'unmatched');

  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  await page.goto(`${base}/operator`);
  const signIn = page.locator('form[action="/operator/login"]');
  await signIn.locator('[name=operator_token]').fill(TOKEN);
  assert.equal((await submit(page, signIn)).status(), 200);
  const row = page.locator('table[data-testid=suspense] tr', { hasText: 'ﾀﾅｶ ｲﾁﾛｳ' });
  assert.match(await row.innerText(), /¥3,300/);

  await Promise.all([page.waitForLoadState('load'), row.locator('[data-testid=return-link]').click()]);
  await page.locator('[data-testid=return-credit]').waitFor();
  await assertLabelled(page);
  const form = page.locator('form[action="/operator/suspense/return"]');
  await form.locator('[name=bank_code]').fill('0005');
  await form.locator('[name=branch_code]').fill('123');
  await form.locator('select[name=account_type]').selectOption('ordinary');
  await form.locator('[name=account_number]').fill('7654321');
  await form.locator('[name=holder_name]').fill('たなか いちろう');
  const response = await submit(page, form);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('.ok[role=status]').innerText(), /返金を指図しました.*¥3,300/);
  assert.equal(await page.locator('table[data-testid=suspense] tr', { hasText: 'ﾀﾅｶ ｲﾁﾛｳ' }).count(), 0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'suspense-returned.png'), fullPage: true });

  const list = await fetch(`${base}/v1/operator/instructions`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  }).then((r) => r.json());
  const returns = list.instructions.filter((i) => i.purpose === 'return');
  assert.equal(returns.length, 1);
  assert.equal(returns[0].status, 'pending');
  assert.equal(returns[0].amount_yen, 3300);
  assert.equal(returns[0].bank_account.holder_name, 'ﾀﾅｶ ｲﾁﾛｳ', 'normalized to bank kana');
  await context.close();
});

test('9. an unknown address gets a real page with a way home', async () => {
  const page = await buyerContext.newPage();
  const response = await page.goto(`${base}/no/such/page`);
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  assert.equal(await page.locator('h1').innerText(), 'ページが見つかりません');
  await Promise.all([page.waitForURL(`${base}/`), page.locator('[data-testid=home-link]').click()]);
  assert.match(await page.locator('h1').innerText(), /エスクロー決済/);
  await page.close();
});

test('10. a marketplace contract\'s progress page and its seller\'s settlement list, by their signed links', async () => {
  const operator = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const site = await fetch(`${base}/v1/operator/sites`, {
    method: 'POST',
    headers: operator,
    body: JSON.stringify({ id: 'e2e-market', name: 'E2E 市場', main_bank: '0001' }),
  }).then((r) => r.json());
  const siteHeaders = { Authorization: `Bearer ${site.api_key}`, 'Content-Type': 'application/json' };
  const account = (bank, branch, number, holder) => ({
    bank_code: bank, branch_code: branch, account_type: 'ordinary', account_number: number, holder_name: holder,
  });
  const created = await fetch(`${base}/v1/contracts`, {
    method: 'POST',
    headers: siteHeaders,
    body: JSON.stringify({
      number: 'E2E-1',
      amount_yen: 45000,
      buyer: { name: '株式会社 買手', address: '東京都千代田区丸の内1-1-1', account: account('0001', '001', '2345678', 'ｶ)ｶｲﾃ') },
      seller: { name: '売手商店', address: '大阪府大阪市北区梅田2-2-2', account: account('0005', '123', '7654321', 'ｳﾘﾃｼﾖｳﾃﾝ') },
      goods: { name: '工作機械', model: 'KX-200', quantity: 1 },
    }),
  });
  assert.equal(created.status, 201);
  const { contract_id: id } = await created.json();
  const shown = await fetch(`${base}/v1/contracts/${id}`, { headers: siteHeaders }).then((r) => r.json());
  // The link as the site hands it on; this server's address instead of the public one.
  const link = new URL(shown.page_url);
  const pageUrl = `${base}${link.pathname}${link.search}`;

  const context = await browser.newContext({ locale: 'ja-JP' });
  await context.route((url) => !url.href.startsWith(`${base}/`), (route) => route.abort());
  const page = await context.newPage();
  assert.equal((await page.goto(pageUrl)).status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  assert.equal(await page.locator('h1').innerText(), '取引の進捗');
  // Accepted; the server's scheduler may have requested its debit already (no bank answers here).
  assert.ok(
    ['受付済・口座振替待ち', '口座振替を依頼済'].includes(await page.locator('[data-testid=status]').innerText()),
  );
  const steps = page.locator('table[data-testid=schedule] tr[data-step]');
  assert.equal(await steps.count(), 5);
  assert.match(await steps.first().innerText(), /受付/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'contract-progress.png'), fullPage: true });
  await Promise.all([page.waitForLoadState('load'), page.locator('a[lang=en]').click()]);
  assert.equal(await page.locator('h1').innerText(), 'Contract progress');
  assert.match(await steps.last().innerText(), /Settlement/);

  // Another token: the plain 404 page, nothing of the contract.
  const wrong = await page.goto(`${base}${link.pathname}?t=${'0'.repeat(32)}`);
  assert.equal(wrong.status(), 404);
  assert.doesNotMatch(await page.content(), /E2E-1/);

  const list = await fetch(`${base}/v1/settlements?seller_account=0005-123-7654321`, { headers: siteHeaders })
    .then((r) => r.json());
  const seller = new URL(list.seller_page_url);
  assert.equal((await page.goto(`${base}${seller.pathname}${seller.search}&lang=ja`)).status(), 200);
  assert.equal(await page.locator('h1').innerText(), '清算一覧');
  assert.match(await page.locator('main, body').first().innerText(), /清算はまだありません/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'seller-settlements.png'), fullPage: true });
  await context.close();
});
