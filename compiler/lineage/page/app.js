/*
 * featc docs: the catalog page's script. A classic script (module scripts do not load from
 * file://), run after dagre's browser build. It reads the catalog from the JSON block
 * #featc-data, lays out the DAG of the chosen target with dagre, lists every feature, filters
 * the list as the user types, and highlights a feature's upstream and downstream on click.
 * Every piece of catalog text is set through textContent or setAttribute, never as markup.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("featc-data").textContent);
  var state = { target: data.targets.length ? data.targets[0].target : null, selected: null, center: null };
  var listItems = new Map();
  var graphNodes = new Map();
  var graphEdges = [];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function currentGraph() {
    return data.targets.find(function (t) {
      return t.target === state.target;
    });
  }

  /* ---- lineage ---- */
  function adjacency(graph) {
    var up = new Map(),
      down = new Map();
    graph.vertices.forEach(function (v) {
      up.set(v.id, []);
      down.set(v.id, []);
    });
    graph.edges.forEach(function (e) {
      up.get(e.to).push(e.from);
      down.get(e.from).push(e.to);
    });
    return { up: up, down: down };
  }
  function reach(start, next) {
    var seen = new Set(),
      stack = (next.get(start) || []).slice();
    while (stack.length) {
      var id = stack.pop();
      if (seen.has(id) || id === start) continue;
      seen.add(id);
      stack.push.apply(stack, next.get(id) || []);
    }
    return seen;
  }

  /* ---- the DAG ---- */
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(text, font) {
    measure.font = font;
    return measure.measureText(text).width;
  }
  function vertexLines(v) {
    var lines = [];
    if (v.variant) lines.push("via " + v.variant);
    if (v.fitted) lines.push(v.fitted === "read" ? "@fitted (read)" : "@fitted (computed)");
    var type = v.type.length > 40 ? v.type.slice(0, 39) + "\u2026" : v.type;
    lines.push(type + " \u00b7 " + v.level);
    return lines;
  }

  /*
   * Layered layout is superlinear: a DAG of more than LIMIT vertices is not drawn whole. It
   * shows the neighbourhood of the chosen feature instead, as many steps up and down as fit.
   */
  var LIMIT = 250;
  var drawnKey = null;

  function neighbourhood(graph, id) {
    var adj = adjacency(graph);
    var keep = new Set([id]);
    var up = [id],
      down = [id],
      depth = 0,
      complete = true;
    function step(frontier, next) {
      var found = new Set();
      frontier.forEach(function (v) {
        next.get(v).forEach(function (n) {
          if (!keep.has(n)) found.add(n);
        });
      });
      return Array.from(found);
    }
    while (up.length || down.length) {
      var nextUp = step(up, adj.up),
        nextDown = step(down, adj.down).filter(function (n) {
          return nextUp.indexOf(n) < 0;
        });
      if (!nextUp.length && !nextDown.length) break;
      if (keep.size + nextUp.length + nextDown.length > LIMIT) {
        complete = false;
        break;
      }
      nextUp.concat(nextDown).forEach(function (n) {
        keep.add(n);
      });
      up = nextUp;
      down = nextDown;
      depth++;
    }
    return { ids: keep, depth: depth, complete: complete };
  }

  function drawGraph() {
    var graph = currentGraph();
    var big = graph && graph.vertices.length > LIMIT;
    var hasCenter =
      big &&
      state.center &&
      graph.vertices.some(function (v) {
        return v.id === state.center;
      });
    var key = graph ? graph.target + (big ? "|" + (hasCenter ? state.center : "") : "") : "";
    if (key === drawnKey) return;
    drawnKey = key;
    var host = document.getElementById("dag");
    var note = document.getElementById("dag-note");
    host.textContent = "";
    graphNodes.clear();
    graphEdges = [];
    note.hidden = !big;
    if (!graph) return;
    var vertices = graph.vertices,
      edges = graph.edges;
    if (big && !hasCenter) {
      note.textContent =
        "This DAG has " +
        graph.vertices.length +
        " vertices, too many to draw at once: choose a feature in the list to draw its neighbourhood.";
      return;
    }
    if (big) {
      var hood = neighbourhood(graph, state.center);
      vertices = vertices.filter(function (v) {
        return hood.ids.has(v.id);
      });
      edges = edges.filter(function (e) {
        return hood.ids.has(e.from) && hood.ids.has(e.to);
      });
      note.textContent =
        "Showing " +
        hood.ids.size +
        " of " +
        graph.vertices.length +
        " vertices: " +
        state.center +
        (hood.complete ? " and all of its upstream and downstream." : " and what lies within " + hood.depth + " step(s) of it.");
    }
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 56, marginx: 16, marginy: 24 });
    g.setDefaultEdgeLabel(function () {
      return {};
    });
    vertices.forEach(function (v) {
      var lines = vertexLines(v);
      var width = Math.max(
        textWidth(v.name, "600 12px system-ui, sans-serif"),
        Math.max.apply(
          null,
          lines.map(function (l) {
            return textWidth(l, "10.5px system-ui, sans-serif");
          }),
        ),
      );
      g.setNode(v.id, {
        width: Math.ceil(width) + (v.role === "input" ? 36 : 22),
        height: 22 + lines.length * 13,
        vertex: v,
        lines: lines,
      });
    });
    edges.forEach(function (e) {
      g.setEdge(e.from, e.to, { edge: e });
    });
    dagre.layout(g);

    var size = g.graph();
    var w = Math.ceil(size.width),
      h = Math.ceil(size.height);
    // Fit the panel's width, but never shrink text below 60 %: a big catalog scrolls instead.
    var scale = Math.max(0.6, Math.min(1, (host.clientWidth - 4) / w));
    var root = svg("svg", {
      width: Math.ceil(w * scale),
      height: Math.ceil(h * scale),
      viewBox: "0 0 " + w + " " + h,
      role: "img",
      "aria-label": "DAG of target " + graph.target,
    });
    var defs = svg("defs");
    [
      ["arrow", ""],
      ["arrow-up", ""],
      ["arrow-down", ""],
    ].forEach(function (m) {
      var marker = svg("marker", {
        id: m[0],
        viewBox: "0 0 10 10",
        refX: "10",
        refY: "5",
        markerWidth: "7",
        markerHeight: "7",
        orient: "auto-start-reverse",
      });
      marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
      defs.appendChild(marker);
    });
    root.appendChild(defs);
    var edgeLayer = svg("g", { class: "edges" });
    var nodeLayer = svg("g", { class: "nodes" });
    root.appendChild(edgeLayer);
    root.appendChild(nodeLayer);

    g.edges().forEach(function (ref) {
      var info = g.edge(ref);
      var pts = info.points;
      // A smooth curve through dagre's bend points: each bend is a control point, the midpoints are on the curve.
      var d = "M " + pts[0].x + " " + pts[0].y;
      for (var i = 1; i < pts.length - 1; i++)
        d += " Q " + pts[i].x + " " + pts[i].y + " " + (pts[i].x + pts[i + 1].x) / 2 + " " + (pts[i].y + pts[i + 1].y) / 2;
      d += " L " + pts[pts.length - 1].x + " " + pts[pts.length - 1].y;
      var path = svg("path", {
        class: "edge" + (info.edge.extract ? " extract" : ""),
        d: d,
        "marker-end": "url(#arrow)",
        "data-from": ref.v,
        "data-to": ref.w,
      });
      edgeLayer.appendChild(path);
      graphEdges.push({ from: ref.v, to: ref.w, path: path });
    });

    g.nodes().forEach(function (id) {
      var n = g.node(id);
      var v = n.vertex;
      var x = n.x - n.width / 2,
        y = n.y - n.height / 2;
      var group = svg("g", {
        class: "node role-" + v.role + (v.fitted ? " fitted" : ""),
        "data-id": v.id,
        tabindex: "0",
        role: "button",
        transform: "translate(" + x + "," + y + ")",
      });
      var title = svg("title");
      title.textContent = v.name + (v.description ? " \u2014 " + v.description : "");
      group.appendChild(title);
      if (v.role === "input") {
        var s = 10;
        group.appendChild(
          svg("polygon", { class: "shape", points: [s + ",0", n.width + ",0", n.width - s + "," + n.height, "0," + n.height].join(" ") }),
        );
      } else {
        if (v.role === "output")
          group.appendChild(svg("rect", { class: "outer", x: -3, y: -3, width: n.width + 6, height: n.height + 6, rx: 8 }));
        group.appendChild(svg("rect", { class: "shape", width: n.width, height: n.height, rx: 6 }));
      }
      var text = svg("text", { x: n.width / 2, y: 15, "text-anchor": "middle" });
      var name = svg("tspan", { class: "name", x: n.width / 2 });
      name.textContent = v.name;
      text.appendChild(name);
      n.lines.forEach(function (line) {
        var t = svg("tspan", { class: "sub", x: n.width / 2, dy: "13" });
        t.textContent = line;
        text.appendChild(t);
      });
      group.appendChild(text);
      group.addEventListener("click", function (ev) {
        ev.stopPropagation();
        select(v.id === state.selected ? null : v.id, true);
      });
      group.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          select(v.id, true);
        }
      });
      nodeLayer.appendChild(group);
      graphNodes.set(v.id, group);
    });
    root.addEventListener("click", function () {
      select(null, false);
    });
    host.appendChild(root);
  }

  /* ---- selection: the clicked feature, its upstream and its downstream ---- */
  function select(id, scrollList) {
    var graph = currentGraph();
    state.selected =
      id &&
      graph &&
      graph.vertices.some(function (v) {
        return v.id === id;
      })
        ? id
        : null;
    if (state.selected) state.center = state.selected;
    drawGraph();
    var up = new Set(),
      down = new Set();
    if (state.selected) {
      var adj = adjacency(graph);
      up = reach(state.selected, adj.up);
      down = reach(state.selected, adj.down);
    }
    var lineageOf = function (vid) {
      return vid === state.selected ? "selected" : up.has(vid) ? "upstream" : down.has(vid) ? "downstream" : null;
    };
    graphNodes.forEach(function (node, vid) {
      var which = lineageOf(vid);
      ["selected", "upstream", "downstream", "dimmed"].forEach(function (c) {
        node.classList.remove(c);
      });
      if (state.selected) node.classList.add(which || "dimmed");
      if (which) node.setAttribute("data-lineage", which);
      else node.removeAttribute("data-lineage");
      node.setAttribute("aria-pressed", String(which === "selected"));
    });
    graphEdges.forEach(function (e) {
      var from = lineageOf(e.from),
        to = lineageOf(e.to);
      var which =
        (to === "selected" || to === "upstream") && from === "upstream"
          ? "upstream"
          : (from === "selected" || from === "downstream") && to === "downstream"
            ? "downstream"
            : null;
      ["upstream", "downstream", "dimmed"].forEach(function (c) {
        e.path.classList.remove(c);
      });
      if (state.selected) e.path.classList.add(which || "dimmed");
      e.path.setAttribute(
        "marker-end",
        which === "upstream" ? "url(#arrow-up)" : which === "downstream" ? "url(#arrow-down)" : "url(#arrow)",
      );
    });
    listItems.forEach(function (item, key) {
      var which = lineageOf(key);
      ["selected", "upstream", "downstream"].forEach(function (c) {
        item.classList.remove(c);
      });
      if (which) item.classList.add(which);
    });
    if (state.selected && scrollList) {
      var item = listItems.get(state.selected);
      if (item) {
        if (item.hidden) {
          document.getElementById("search").value = "";
          filter("");
        }
        item.scrollIntoView({ block: "nearest" });
      }
    }
    if (state.selected && !scrollList) {
      var node = graphNodes.get(state.selected);
      if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  /* ---- the list ---- */
  function featureKey(f) {
    return f.kind === "input" ? "input:" + f.name : f.name;
  }
  function haystack(f) {
    var parts = [f.name, f.description, f.kind];
    f.targets.forEach(function (t) {
      parts.push(
        t.target,
        t.type,
        t.level,
        t.role,
        t.exportName || "",
        t.file || "",
        (t.checks || []).join(" "),
        t.fitted ? "@fitted fitted" : "",
        (t.tags || []).join(" "),
      );
    });
    return parts.join("\n").toLowerCase();
  }
  function buildList() {
    var list = document.getElementById("features");
    data.features.forEach(function (f) {
      var key = featureKey(f);
      var roles = new Set(
        f.targets.map(function (t) {
          return t.role;
        }),
      );
      var item = el("li", { class: "feature", "data-name": f.name, "data-key": key });
      var head = el("div", { class: "feature-head" });
      var button = el("button", { class: "feature-name", type: "button" }, f.name);
      head.appendChild(button);
      head.appendChild(
        el(
          "span",
          { class: "badge " + (f.kind === "input" ? "input" : roles.has("output") ? "output" : "feature") },
          f.kind === "input" ? "input" : roles.has("output") ? "output" : "feature",
        ),
      );
      if (
        f.targets.some(function (t) {
          return t.fitted;
        })
      )
        head.appendChild(el("span", { class: "badge fitted" }, "@fitted"));
      if (
        f.targets.some(function (t) {
          return t.variant;
        })
      )
        head.appendChild(el("span", { class: "badge variant" }, "variants"));
      item.appendChild(head);
      item.appendChild(el("p", { class: "description" }, f.description));
      var table = el("table", { class: "per-target" });
      var headRow = el("tr");
      ["target", "type", "level", "defined by", "checks"].forEach(function (h) {
        headRow.appendChild(el("th", null, h));
      });
      table.appendChild(headRow);
      f.targets.forEach(function (t) {
        var row = el("tr", { "data-target": t.target });
        row.appendChild(el("td", null, t.target));
        var type = el("td");
        type.appendChild(el("code", null, t.type));
        row.appendChild(type);
        row.appendChild(
          el(
            "td",
            null,
            t.level + (t.fitted ? (t.fitted === "read" ? ", @fitted read" : ", @fitted computed") : "") + (t.async ? ", async" : ""),
          ),
        );
        var def = el("td");
        if (t.exportName) def.appendChild(el("code", null, t.exportName));
        if (t.file) def.appendChild(document.createTextNode(" " + t.file + ":" + t.line));
        row.appendChild(def);
        row.appendChild(el("td", null, (t.checks || []).join(", ")));
        table.appendChild(row);
      });
      item.appendChild(table);
      item.addEventListener("click", function () {
        if (
          !currentGraph().vertices.some(function (v) {
            return v.id === key;
          })
        ) {
          var other = f.targets[0];
          if (other) setTarget(other.target);
        }
        select(key, false);
      });
      item._haystack = haystack(f);
      listItems.set(key, item);
      list.appendChild(item);
    });
    list.appendChild(el("li", { class: "empty-result", hidden: "" }, "No feature matches."));
  }

  function filter(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    listItems.forEach(function (item, key) {
      var match = words.every(function (w) {
        return item._haystack.indexOf(w) >= 0;
      });
      item.hidden = !match;
      if (match) shown++;
      var node = graphNodes.get(key);
      if (node) node.classList.toggle("search-miss", words.length > 0 && !match);
    });
    document.querySelector(".empty-result").hidden = shown > 0;
    document.getElementById("count").textContent = words.length
      ? shown + " of " + listItems.size + " shown"
      : listItems.size + " features and inputs";
  }

  /* ---- targets ---- */
  function setTarget(name) {
    state.target = name;
    document.querySelectorAll("#targets button").forEach(function (b) {
      b.setAttribute("aria-selected", String(b.dataset.target === name));
    });
    drawGraph();
    filter(document.getElementById("search").value);
    select(state.selected, false);
  }
  function buildTargets() {
    var nav = document.getElementById("targets");
    data.targets.forEach(function (t) {
      var b = el(
        "button",
        { type: "button", role: "tab", "data-target": t.target, "aria-selected": "false" },
        t.target + " (" + t.shape + ")",
      );
      b.addEventListener("click", function () {
        setTarget(t.target);
      });
      nav.appendChild(b);
    });
  }

  buildTargets();
  buildList();
  document.getElementById("search").addEventListener("input", function (ev) {
    filter(ev.target.value);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") select(null, false);
  });
  if (state.target) setTarget(state.target);
  else filter("");
  document.body.setAttribute("data-ready", "true");
})();
