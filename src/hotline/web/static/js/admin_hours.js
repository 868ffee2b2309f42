// The admin page's Hours tab: business hours per site and weekday, and the centre's holidays
// (/api/v1/admin/business-hours, /holidays). admin.js hands in its helpers (``kit``), so the
// forms behave like every other tab: errors beside the field, supervisors read only.

/**
 * @param kit {data, put, del, submit, table, mode, key, value, lockForms, esc, part,
 *             FieldError, $}
 * @returns the tab's render function (after every load)
 */
export function hoursSection(kit) {
  const { data, put, del, submit, table, mode, key, value, lockForms, esc, part, FieldError, $ } = kit;
  const hoursForm = $("hours-form");
  const holidayForm = $("holiday-form");
  const hoursKey = (h) => `${h.site}/${h.weekday}`;
  const dayName = (i) => data.weekdays[i] ?? String(i);

  function fillHours(record) {
    const f = hoursForm;
    const weekday = f.elements.weekday;
    if (!weekday.options.length) {
      weekday.innerHTML = data.weekdays.map((d, i) => `<option value="${i}">${esc(d)}</option>`).join("");
    }
    f.elements.site.value = record?.site ?? f.elements.site.value;
    weekday.value = String(record?.weekday ?? weekday.value ?? 0);
    f.elements.opens.value = record?.opens ?? "";
    f.elements.closes.value = record?.closes ?? "";
    mode(f, record ? `${record.site} · ${dayName(record.weekday)}` : null);
    f.dataset.record = record ? hoursKey(record) : "";
    lockForms();
    render();
  }

  function fillHoliday(record) {
    holidayForm.elements.day.value = record?.day ?? "";
    holidayForm.elements.name.value = record?.name ?? "";
    mode(holidayForm, record ? record.day : null);
    lockForms();
    render();
  }

  hoursForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(hoursForm, async () => {
      const f = hoursForm;
      const site = key(f, "site");
      const weekday = f.elements.weekday.value;
      if (weekday === "") throw new FieldError("weekday", "pick a day");
      const r = await put(`/business-hours/${part(site)}/${part(weekday)}`,
        { opens: value(f, "opens"), closes: value(f, "closes") });
      fillHours(r.hours);
      return `Saved ${site} on ${r.hours.day}: ${r.hours.opens}–${r.hours.closes}; the next call hears it.`;
    });
  });

  hoursForm.querySelector("[data-delete]").addEventListener("click", () => {
    const which = hoursForm.dataset.record;
    if (!which) return;
    const [site, weekday] = which.split("/");
    if (!confirm(`Close ${site} on ${dayName(Number(weekday))}?`)) return;
    submit(hoursForm, async () => {
      await del(`/business-hours/${part(site)}/${part(weekday)}`);
      fillHours(null);
      return `${site} is closed on ${dayName(Number(weekday))} now.`;
    });
  });
  hoursForm.querySelector("[data-new]").addEventListener("click", () => fillHours(null));

  holidayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(holidayForm, async () => {
      const input = holidayForm.elements.day;
      if (input.validity.badInput || !input.value) throw new FieldError("day", "pick a date");
      const r = await put(`/holidays/${part(input.value)}`, { name: holidayForm.elements.name.value });
      fillHoliday(r.holiday);
      return `Saved holiday ${r.holiday.day} (${r.holiday.name}); every site is closed that day.`;
    });
  });

  holidayForm.querySelector("[data-delete]").addEventListener("click", () => {
    const day = holidayForm.dataset.editing;
    if (!day || !confirm(`Remove holiday ${day}?`)) return;
    submit(holidayForm, async () => {
      await del(`/holidays/${part(day)}`);
      fillHoliday(null);
      return `Removed holiday ${day}.`;
    });
  });
  holidayForm.querySelector("[data-new]").addEventListener("click", () => fillHoliday(null));

  const flag = (ctx) => (ctx.holiday === "true" ? "holiday (closed)"
    : ctx.business_hours === "true" ? "open" : "closed");

  function render() {
    if (!hoursForm.elements.weekday.options.length && data.weekdays.length) fillHours(null);
    $("hours-count").textContent = String(data.hours.length);
    $("holidays-count").textContent = String(data.holidays.length);
    $("hr-sites").innerHTML = [...new Set([...data.agents.map((a) => a.site), ...data.hours.map((h) => h.site)])]
      .sort().map((s) => `<option value="${esc(s)}">`).join("");
    table("hours-table", data.hours, {
      cells: [
        { html: (h) => `<b class="mono">${esc(h.site)}</b>` }, { html: (h) => esc(h.day) },
        { html: (h) => `<span class="mono">${esc(h.opens)}</span>` },
        { html: (h) => `<span class="mono">${esc(h.closes)}</span>` },
      ],
    }, fillHours, (h) => hoursKey(h) === hoursForm.dataset.record);
    table("holidays-table", data.holidays, {
      cells: [{ html: (h) => `<b class="mono">${esc(h.day)}</b>` }, { html: (h) => esc(h.name) }],
    }, fillHoliday, (h) => h.day === holidayForm.dataset.editing);
    const now = data.opening;
    $("hours-now").textContent = !now ? "" : `A call now (${now.zone}) hears: centre ${flag(now.centre)}` +
      Object.entries(now.sites).map(([site, ctx]) => ` · ${site} ${flag(ctx)}`).join("") +
      (data.hours.length ? "." : " (no hours set: open round the clock).");
  }

  return render;
}
