-- Started by TestNeovim: nvim --headless --clean -c "luafile <this file>".
-- Starts `mtlslint lsp` with Neovim's own client (0.7 API: start_client and
-- buf_attach_client), opens the file, waits for its diagnostics and writes
-- them as JSON. Every wait is bounded.
local bin = os.getenv("MTLSLINT_BIN")
local target = os.getenv("MTLSLINT_TARGET")
local out = os.getenv("MTLSLINT_OUT")
local root = vim.fn.fnamemodify(target, ":h")

local function finish(result)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
end

vim.cmd("edit " .. vim.fn.fnameescape(target))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "mtlslint",
  cmd = { bin, "lsp", "--debounce", "20ms" },
  root_dir = root,
})
if not client_id then
  finish({ error = "start_client failed" })
  vim.cmd("cquit 3")
end
vim.lsp.buf_attach_client(bufnr, client_id)

local got = vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 50)

local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(diagnostics, {
    code = d.code, lnum = d.lnum, col = d.col, end_lnum = d.end_lnum,
    severity = d.severity, source = d.source, message = d.message,
  })
end
local client = vim.lsp.get_client_by_id(client_id)
finish({
  waited = got,
  diagnostics = diagnostics,
  server = client and client.server_capabilities and client.server_capabilities.textDocumentSync or vim.NIL,
})

vim.lsp.stop_client(client_id)
vim.wait(10000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
vim.cmd("qall!")
