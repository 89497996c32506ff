-- wrk script for bench/web.py: every request asks for a URL the server has never seen.
--
-- The page cache keys on the path and the whole query string, so a unique "_b"
-- parameter makes the server build each page from the database. Paths come from a
-- file, one per line, and are taken in turn (each thread from its own starting
-- point), so an article or story benchmark reads many rows rather than one hot one.
--
--   wrk -s bench/wrk_unique.lua http://127.0.0.1:PORT -- PATHS_FILE RUN_TAG
--
-- RUN_TAG keeps the parameters of one wrk run apart from those of another against
-- the same server (the warm-up and the measured run would otherwise repeat them).

local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  prefix = (args[2] or "run") .. "-" .. thread_number .. "-"
  counter = 0
  offset = (thread_number * 7919) % #paths
end

function request()
  counter = counter + 1
  local path = paths[(offset + counter) % #paths + 1]
  local separator = path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, path .. separator .. "_b=" .. prefix .. counter)
end
