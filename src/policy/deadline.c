/* policy/deadline: finds a deadline in English text ("by Thursday 15:00",
 * "tomorrow", "1 Dec", "in 2 days") and places it in the hours' zone. */
#include <string.h>

#include "ebb/policy.h"
#include "lang.h"
#include "policy_int.h"

/* How the date part of a phrase is given. */
enum date_kind {
	D_NONE = 0,     /* a time alone: today, or tomorrow when it has passed */
	D_DAYS,         /* today + days ("tomorrow", "in 2 days") */
	D_WEEKDAY,      /* the next such weekday (today counts), or next week's */
	D_WEEK_END,     /* the last working day of this week + weeks */
	D_MONTH_END,    /* the last day of this month + months */
	D_WORKDAYS,     /* that many working days after today */
	D_ORDINAL,      /* "by the 3rd": that day of this month, else the next */
	D_ABS,          /* a calendar date; year 0 = the next one on or after today */
};

struct phrase {
	size_t start, end;
	enum date_kind date;
	int year, mon, mday;
	int count;          /* days, weeks, months or working days ahead */
	int weekday;        /* 0 = Sunday */
	int next_week;
	int weekday_hint;   /* D_ABS without a year: the weekday given with it */
	int has_time, hour, min;
	long seconds;       /* > 0: now + seconds ("in 3 hours"); no date or time */
};

static const char *const month_names[12][3] = {
	{"january", "jan", NULL},   {"february", "feb", NULL}, {"march", "mar", NULL},
	{"april", "apr", NULL},     {"may", NULL, NULL},       {"june", "jun", NULL},
	{"july", "jul", NULL},      {"august", "aug", NULL},   {"september", "sept", "sep"},
	{"october", "oct", NULL},   {"november", "nov", NULL}, {"december", "dec", NULL},
};

/* "sat" and "sun" are everyday words; only the full names count for them. */
static const char *const weekday_names[7][4] = {
	{"sunday", NULL, NULL, NULL},       {"monday", "mon", NULL, NULL},
	{"tuesday", "tues", "tue", NULL},   {"wednesday", "wed", NULL, NULL},
	{"thursday", "thurs", "thur", "thu"}, {"friday", "fri", NULL, NULL},
	{"saturday", NULL, NULL, NULL},
};

/* Words that make a date a past or a habit, not a deadline. */
static const char *const not_deadline_before[] = {"last", "since", "past", "every", "each",
						   "previous", NULL};

static int valid_date(int y, int m, int d)
{
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

/* A day and month without a year: valid in some year (29 Feb in a leap one). */
static int valid_day_month(int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(2000, m);
}

/* Optional "st", "nd", "rd" or "th" after a day number. */
static size_t ordinal_suffix(const char *s, size_t len, size_t i)
{
	static const char *const sfx[] = {"st", "nd", "rd", "th", NULL};
	for (size_t k = 0; sfx[k]; k++)
		if (i + 2 <= len && lang_lower((unsigned char)s[i]) == sfx[k][0] &&
		    lang_lower((unsigned char)s[i + 1]) == sfx[k][1] &&
		    (i + 2 == len || !lang_alnum(s[i + 2])))
			return 2;
	return 0;
}

static size_t month_at(const char *s, size_t len, size_t i, int *mon)
{
	for (int m = 0; m < 12; m++) {
		for (int k = 0; k < 3 && month_names[m][k]; k++) {
			size_t n = lang_phrase_at(s, len, i, month_names[m][k]);
			if (n) {
				if (i + n < len && s[i + n] == '.')
					n++;
				*mon = m + 1;
				return n;
			}
		}
	}
	return 0;
}

static size_t weekday_at(const char *s, size_t len, size_t i, int *wday)
{
	for (int d = 0; d < 7; d++) {
		for (int k = 0; k < 4 && weekday_names[d][k]; k++) {
			size_t n = lang_phrase_at(s, len, i, weekday_names[d][k]);
			if (n) {
				if (k > 0 && i + n < len && s[i + n] == '.')
					n++;
				*wday = d;
				return n;
			}
		}
	}
	return 0;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && lang_blank(s[i]))
		i++;
	return i;
}

/* Optional ", 2026" or " 2026" after a day and month. */
static size_t year_after(const char *s, size_t len, size_t i, int *year)
{
	size_t j = i;
	if (j < len && s[j] == ',')
		j++;
	j = skip_blanks(s, len, j);
	int y;
	size_t n = lang_number_at(s, len, j, 4, &y);
	if (n != 4 || y < 1970)
		return 0;
	*year = y;
	return j + n - i;
}

/* ---- the forms -------------------------------------------------------- */

/* 2026-12-01, optionally with T15:00 or " 15:00". */
static size_t m_iso(const char *s, size_t len, size_t i, struct phrase *p)
{
	int y, m, d;
	if (lang_number_at(s, len, i, 4, &y) != 4 || i + 10 > len || s[i + 4] != '-' ||
	    lang_number_at(s, len, i + 5, 2, &m) != 2 || s[i + 7] != '-' ||
	    lang_number_at(s, len, i + 8, 2, &d) != 2 || !valid_date(y, m, d))
		return 0;
	p->date = D_ABS;
	p->year = y;
	p->mon = m;
	p->mday = d;
	size_t j = i + 10;
	int hh, mm;
	if (j + 6 <= len && (s[j] == 'T' || s[j] == ' ') &&
	    lang_number_at(s, len, j + 1, 2, &hh) == 2 && s[j + 3] == ':' &&
	    lang_number_at(s, len, j + 4, 2, &mm) == 2 && hh < 24 && mm < 60) {
		p->has_time = 1;
		p->hour = hh;
		p->min = mm;
		j += 6;
	}
	return j - i;
}

/* A date phrase of matched bytes naming day/mon (of year y, 0 = the next
 * such day): sets p and returns matched, or 0 when there is no such day. */
static size_t abs_date(struct phrase *p, int y, int mon, int day, size_t matched)
{
	if (y ? !valid_date(y, mon, day) : !valid_day_month(mon, day))
		return 0;
	p->date = D_ABS;
	p->year = y;
	p->mon = mon;
	p->mday = day;
	return matched;
}

/* 12/01 (month/day, or day/month when the first number is over 12), with
 * an optional /2026 or /26. At least one part has two digits, so "1/2" (a
 * fraction) is not a date. */
static size_t m_slash(const char *s, size_t len, size_t i, struct phrase *p)
{
	int a, b, y = 0;
	size_t na = lang_number_at(s, len, i, 2, &a);
	if (!na || i + na >= len || s[i + na] != '/')
		return 0;
	size_t nb = lang_number_at(s, len, i + na + 1, 2, &b);
	if (!nb)
		return 0;
	size_t j = i + na + 1 + nb;
	if (j < len && s[j] == '/') {
		size_t ny = lang_number_at(s, len, j + 1, 4, &y);
		if (ny == 2)
			y += 2000;
		else if (ny != 4)
			return 0;
		j += 1 + ny;
	} else if (na < 2 && nb < 2) {
		return 0;
	}
	if (j < len && (s[j] == '/' || lang_alnum(s[j])))
		return 0;
	int mon = a, day = b;
	if (a > 12) {
		mon = b;
		day = a;
	}
	return abs_date(p, y, mon, day, j - i);
}

/* 1 Dec, 1st of December, 1. Dezember is not English: not matched. */
static size_t m_day_month(const char *s, size_t len, size_t i, struct phrase *p)
{
	int d, mon, y = 0;
	size_t n = lang_number_at(s, len, i, 2, &d);
	if (!n || d < 1 || d > 31)
		return 0;
	size_t j = i + n;
	j += ordinal_suffix(s, len, j);
	j = skip_blanks(s, len, j);
	size_t of = lang_phrase_at(s, len, j, "of");
	if (of)
		j = skip_blanks(s, len, j + of);
	size_t nm = month_at(s, len, j, &mon);
	if (!nm)
		return 0;
	j += nm;
	j += year_after(s, len, j, &y);
	return abs_date(p, y, mon, d, j - i);
}

/* Dec 1, December 1st, Dec. 1, 2026 */
static size_t m_month_day(const char *s, size_t len, size_t i, struct phrase *p)
{
	int d, mon, y = 0;
	size_t nm = month_at(s, len, i, &mon);
	if (!nm)
		return 0;
	size_t j = skip_blanks(s, len, i + nm);
	size_t n = lang_number_at(s, len, j, 2, &d);
	if (!n || d < 1 || d > 31)
		return 0;
	j += n;
	j += ordinal_suffix(s, len, j);
	if (j < len && lang_alnum(s[j]))
		return 0;
	j += year_after(s, len, j, &y);
	return abs_date(p, y, mon, d, j - i);
}

/* "am", "pm", "a.m.", "p.m." right after the number or after blanks
 * ("3pm", "3 pm"), ending a word. */
static size_t am_pm(const char *s, size_t len, size_t i, int *pm)
{
	static const char *const forms[] = {"a.m.", "p.m.", "am", "pm"};
	size_t j = skip_blanks(s, len, i);
	for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
		size_t n = strlen(forms[k]);
		if (j + n > len)
			continue;
		size_t c = 0;
		while (c < n && lang_lower((unsigned char)s[j + c]) == forms[k][c])
			c++;
		if (c < n || (j + n < len && lang_alnum(s[j + n])))
			continue;
		*pm = forms[k][0] == 'p';
		return j + n - i;
	}
	return 0;
}

/* 15:00, 9:30, 3pm, 3 pm, 3:30pm, 11 a.m., noon, midday */
static size_t m_time(const char *s, size_t len, size_t i, struct phrase *p)
{
	static const char *const noon[] = {"noon", "midday", NULL};
	size_t n = lang_any_at(s, len, i, noon);
	if (n) {
		p->has_time = 1;
		p->hour = 12;
		p->min = 0;
		return n;
	}
	/* Not the middle of 10:15:00 or of a version number 1.15:00. */
	if (i > 0 && (s[i - 1] == ':' || s[i - 1] == '.'))
		return 0;
	int h, m = 0, pm = -1;
	size_t nh = lang_number_at(s, len, i, 2, &h);
	if (!nh)
		return 0;
	size_t j = i + nh;
	int have_min = 0;
	if (j + 3 <= len && s[j] == ':' && lang_number_at(s, len, j + 1, 2, &m) == 2) {
		have_min = 1;
		j += 3;
		int sec;
		if (j + 3 <= len && s[j] == ':' && lang_number_at(s, len, j + 1, 2, &sec) == 2)
			j += 3;
	}
	size_t na = am_pm(s, len, j, &pm);
	if (na)
		j += na;
	else if (!have_min)
		return 0;
	if (j < len && lang_alnum(s[j]))
		return 0;
	if (pm >= 0) {
		if (h < 1 || h > 12)
			return 0;
		h = h % 12 + (pm ? 12 : 0);
	}
	if (h > 23 || m > 59)
		return 0;
	p->has_time = 1;
	p->hour = h;
	p->min = m;
	return j - i;
}

static size_t count_word(const char *s, size_t len, size_t i, int *count)
{
	static const struct { const char *w; int n; } words[] = {
		{"a couple of", 2}, {"a few", 3}, {"an", 1}, {"a", 1}, {"one", 1}, {"two", 2},
		{"three", 3}, {"four", 4}, {"five", 5}, {"six", 6}, {"seven", 7}, {"eight", 8},
		{"nine", 9}, {"ten", 10}, {"eleven", 11}, {"twelve", 12},
	};
	int v;
	size_t n = lang_number_at(s, len, i, 3, &v);
	if (n) {
		*count = v;
		return v > 0 ? n : 0;
	}
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		n = lang_phrase_at(s, len, i, words[k].w);
		if (n) {
			*count = words[k].n;
			return n;
		}
	}
	return 0;
}

/* in 2 days, within 3 working days, in an hour, in a couple of weeks */
static size_t m_in(const char *s, size_t len, size_t i, struct phrase *p)
{
	static const char *const lead[] = {"within", "in", NULL};
	static const struct { const char *w; int kind; long unit; } units[] = {
		{"business days", 'w', 1}, {"business day", 'w', 1}, {"working days", 'w', 1},
		{"working day", 'w', 1},   {"work days", 'w', 1},    {"workdays", 'w', 1},
		{"minutes", 's', 60},      {"minute", 's', 60},      {"mins", 's', 60},
		{"min", 's', 60},          {"hours", 's', 3600},     {"hour", 's', 3600},
		{"hrs", 's', 3600},        {"days", 'd', 1},         {"day", 'd', 1},
		{"weeks", 'd', 7},         {"week", 'd', 7},
	};
	size_t n = lang_any_at(s, len, i, lead);
	if (!n)
		return 0;
	size_t j = skip_blanks(s, len, i + n);
	if (j == i + n)
		return 0;
	int count;
	size_t nc = count_word(s, len, j, &count);
	if (!nc || count > 365)
		return 0;
	j = skip_blanks(s, len, j + nc);
	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
		size_t nu = lang_phrase_at(s, len, j, units[k].w);
		if (!nu)
			continue;
		if (units[k].kind == 's') {
			p->seconds = count * units[k].unit;
		} else if (units[k].kind == 'w') {
			p->date = D_WORKDAYS;
			p->count = count;
		} else {
			p->date = D_DAYS;
			p->count = count * (int)units[k].unit;
		}
		return j + nu - i;
	}
	return 0;
}

/* by the 3rd, on the 15th, before the 1st */
static size_t m_ordinal(const char *s, size_t len, size_t i, struct phrase *p)
{
	static const char *const lead[] = {"by the", "on the", "before the", "until the",
					   "till the", "due the", NULL};
	size_t n = lang_any_at(s, len, i, lead);
	if (!n)
		return 0;
	size_t j = skip_blanks(s, len, i + n);
	int d;
	size_t nd = lang_number_at(s, len, j, 2, &d);
	if (!nd || d < 1 || d > 31)
		return 0;
	size_t ns = ordinal_suffix(s, len, j + nd);
	if (!ns)
		return 0;
	p->date = D_ORDINAL;
	p->mday = d;
	return j + nd + ns - i;
}

/* today, tomorrow, EOD, end of week, next week, (this|next) Friday, Friday */
static size_t m_words(const char *s, size_t len, size_t i, struct phrase *p)
{
	static const struct { const char *w; enum date_kind kind; int count; int tonight; } words[] = {
		{"day after tomorrow", D_DAYS, 2, 0},
		{"today", D_DAYS, 0, 0},
		{"tonight", D_DAYS, 0, 1},
		{"tomorrow", D_DAYS, 1, 0},
		{"tmrw", D_DAYS, 1, 0},
		{"end of the day", D_DAYS, 0, 0},
		{"end of day", D_DAYS, 0, 0},
		{"end of business", D_DAYS, 0, 0},
		{"close of business", D_DAYS, 0, 0},
		{"eod", D_DAYS, 0, 0},
		{"cob", D_DAYS, 0, 0},
		{"eob", D_DAYS, 0, 0},
		{"end of the week", D_WEEK_END, 0, 0},
		{"end of week", D_WEEK_END, 0, 0},
		{"end of this week", D_WEEK_END, 0, 0},
		{"end of next week", D_WEEK_END, 1, 0},
		{"eow", D_WEEK_END, 0, 0},
		{"this week", D_WEEK_END, 0, 0},
		{"next week", D_WEEK_END, 1, 0},
		{"end of the month", D_MONTH_END, 0, 0},
		{"end of month", D_MONTH_END, 0, 0},
		{"end of this month", D_MONTH_END, 0, 0},
		{"end of next month", D_MONTH_END, 1, 0},
		{"eom", D_MONTH_END, 0, 0},
		{"this month", D_MONTH_END, 0, 0},
		{"next month", D_MONTH_END, 1, 0},
	};
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		size_t n = lang_phrase_at(s, len, i, words[k].w);
		if (!n)
			continue;
		p->date = words[k].kind;
		p->count = words[k].count;
		if (words[k].tonight) {
			p->has_time = 1;
			p->hour = 23;
			p->min = 59;
		}
		return n;
	}
	size_t j = i;
	int next = 0;
	size_t n = lang_phrase_at(s, len, i, "next");
	if (!n)
		n = lang_phrase_at(s, len, i, "this");
	else
		next = 1;
	if (n)
		j = skip_blanks(s, len, i + n);
	if (n && j == i + n)
		return 0;
	int wday;
	size_t nw = weekday_at(s, len, j, &wday);
	if (!nw)
		return 0;
	p->date = D_WEEKDAY;
	p->weekday = wday;
	p->next_week = next;
	return j + nw - i;
}

/* One phrase starting at s[i], or 0. */
static size_t match_at(const char *s, size_t len, size_t i, struct phrase *p)
{
	memset(p, 0, sizeof *p);
	p->start = i;
	typedef size_t (*form_fn)(const char *, size_t, size_t, struct phrase *);
	static const form_fn digit_forms[] = {m_iso, m_slash, m_day_month, m_time};
	static const form_fn word_forms[] = {m_in, m_ordinal, m_month_day, m_words, m_time};
	const form_fn *forms = lang_digit(s[i]) ? digit_forms : word_forms;
	size_t nforms = lang_digit(s[i]) ? sizeof digit_forms / sizeof digit_forms[0]
					 : sizeof word_forms / sizeof word_forms[0];
	size_t n = 0;
	for (size_t k = 0; k < nforms && !n; k++) {
		memset(p, 0, sizeof *p);
		p->start = i;
		n = forms[k](s, len, i, p);
	}
	if (!n)
		return 0;
	char before[16];
	lang_word_before(s, i, before, sizeof before);
	for (size_t k = 0; before[0] && not_deadline_before[k]; k++)
		if (!strcmp(before, not_deadline_before[k]))
			return 0;
	/* "3 days ago", "Monday's meeting was" are not deadlines either */
	size_t j = skip_blanks(s, len, i + n);
	if (lang_phrase_at(s, len, j, "ago"))
		return 0;
	p->end = i + n;
	return n;
}

/* Between two parts of one deadline ("Thursday, 15:00", "tomorrow at 3pm",
 * "15:00 on Friday") only blanks, commas and these little words may stand. */
static size_t joiner(const char *s, size_t len, size_t i)
{
	static const char *const words[] = {"at", "by", "on", "before", "until", "till", NULL};
	size_t j = i;
	for (;;) {
		size_t k = j;
		while (k < len && (lang_blank(s[k]) || s[k] == ','))
			k++;
		size_t n = lang_any_at(s, len, k, words);
		if (!n)
			return k - i;
		j = k + n;
	}
}

static int date_rank(enum date_kind k)
{
	return k == D_ABS ? 3 : k == D_NONE ? 0 : k == D_WEEKDAY ? 1 : 2;
}

/* Lays b over a where it adds something a lacks. */
static int merge(struct phrase *a, const struct phrase *b)
{
	if (a->seconds || b->seconds)
		return 0;
	int added = 0;
	if (date_rank(b->date) > date_rank(a->date)) {
		int keep_time = a->has_time, h = a->hour, m = a->min;
		int wday = a->date == D_WEEKDAY && !a->next_week ? a->weekday : -1;
		size_t start = a->start;
		*a = *b;
		a->start = start;
		/* "Mon 23 Nov": the weekday tells the year */
		if (wday >= 0 && a->date == D_ABS && !a->year) {
			a->weekday = wday;
			a->weekday_hint = 1;
		}
		if (keep_time) {
			a->has_time = 1;
			a->hour = h;
			a->min = m;
		}
		added = 1;
	} else if (b->date != D_NONE && a->date != D_NONE && !b->has_time) {
		return 0;   /* two dates of the same weight: two deadlines */
	}
	if (b->has_time && !a->has_time) {
		a->has_time = 1;
		a->hour = b->hour;
		a->min = b->min;
		added = 1;
	}
	if (added && b->end > a->end)
		a->end = b->end;
	return added;
}

/* ---- placing it in time ----------------------------------------------- */

static int end_of_work(const struct policy_hours *h)
{
	return h->nwork ? h->work[h->nwork - 1].end_min : 17 * 60;
}

/* The last working day of the Monday-to-Sunday week `weeks` after today's;
 * Friday when no day of it is a working day; never before today. */
static int64_t week_end(const struct policy_hours *h, int64_t today, int weekday, int weeks)
{
	int64_t monday = today - (weekday + 6) % 7 + 7 * (int64_t)weeks;
	for (int64_t d = monday + 6; d >= monday; d--)
		if (policy_day_is_workday(h, d))
			return d < today ? today : d;
	int64_t friday = monday + 4;
	return friday < today ? today : friday;
}

static int place(const struct phrase *p, const struct policy_hours *h, time_t now, time_t *at)
{
	*at = 0;
	if (p->seconds) {
		*at = now + p->seconds;
		return EBB_OK;
	}
	struct tm lt;
	if (policy_local_tm(h, now, &lt))
		return EBB_EINVAL;
	int64_t y = (int64_t)lt.tm_year + 1900;
	int64_t today = days_from_civil(y, lt.tm_mon + 1, lt.tm_mday);
	int minutes = p->has_time ? p->hour * 60 + p->min : end_of_work(h);
	int64_t day = today;
	switch (p->date) {
	case D_NONE:
		if (minutes <= lt.tm_hour * 60 + lt.tm_min)
			day++;
		break;
	case D_DAYS:
		day = today + p->count;
		break;
	case D_WEEKDAY:
		if (p->next_week)
			day = today - (lt.tm_wday + 6) % 7 + 7 + (p->weekday + 6) % 7;
		else
			day = today + (p->weekday - lt.tm_wday + 7) % 7;
		break;
	case D_WEEK_END:
		day = week_end(h, today, lt.tm_wday, p->count);
		break;
	case D_MONTH_END: {
		int64_t yy = y;
		int mm = lt.tm_mon + 1 + p->count;
		while (mm > 12) {
			mm -= 12;
			yy++;
		}
		day = days_from_civil(yy, mm, days_in_month(yy, mm));
		break;
	}
	case D_WORKDAYS: {
		int found = 0;
		for (int k = 0; k < POLICY_HORIZON_DAYS && found < p->count; k++)
			if (policy_day_is_workday(h, ++day))
				found++;
		if (found < p->count)
			return EBB_EINVAL;
		break;
	}
	case D_ORDINAL: {
		int64_t yy = y;
		int mm = lt.tm_mon + 1;
		/* this month's, else the next month that has that day */
		for (int k = 0; k < 13; k++) {
			if (p->mday <= days_in_month(yy, mm) &&
			    days_from_civil(yy, mm, p->mday) >= today)
				break;
			if (++mm > 12) {
				mm = 1;
				yy++;
			}
		}
		if (p->mday > days_in_month(yy, mm))
			return EBB_EINVAL;
		day = days_from_civil(yy, mm, p->mday);
		break;
	}
	case D_ABS: {
		int64_t yy = p->year ? p->year : y;
		int hinted = 0;
		/* With a weekday ("Mon 23 Nov") the year whose date falls on it,
		 * this one first, so a past date written back stays in the past. */
		static const int try_years[] = {0, 1, -1};
		for (int k = 0; !p->year && p->weekday_hint && !hinted && k < 3; k++) {
			int64_t cand = y + try_years[k];
			if (p->mday <= days_in_month(cand, p->mon) &&
			    weekday_of_days(days_from_civil(cand, p->mon, p->mday)) == p->weekday) {
				yy = cand;
				hinted = 1;
			}
		}
		if (!p->year && !hinted) {
			/* the next such date: this year's, or next year's when past
			 * (29 Feb waits for a leap year) */
			for (int k = 0; k < 9; k++, yy++)
				if (p->mday <= days_in_month(yy, p->mon) &&
				    days_from_civil(yy, p->mon, p->mday) >= today)
					break;
		}
		if (p->mday > days_in_month(yy, p->mon))
			return EBB_EINVAL;
		day = days_from_civil(yy, p->mon, p->mday);
		break;
	}
	}
	*at = policy_day_instant(h, day, minutes);
	return EBB_OK;
}

int policy_deadline_find(const char *text, size_t len, const struct policy_hours *h, time_t now,
			 struct policy_deadline *out)
{
	if (!out)
		return 0;
	memset(out, 0, sizeof *out);
	if (!text)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!lang_word_start(text, i) || !lang_alnum(text[i]))
			continue;
		size_t url = lang_url_at(text, len, i);
		if (url) {
			i += url - 1;
			continue;
		}
		struct phrase p;
		if (!match_at(text, len, i, &p))
			continue;
		/* "Thu 26 Nov 15:00", "tomorrow at 3pm", "15:00 on Friday" */
		for (int parts = 1; parts < 3; parts++) {
			size_t j = p.end + joiner(text, len, p.end);
			struct phrase q;
			if (j >= len || !match_at(text, len, j, &q) || !merge(&p, &q))
				break;
		}
		out->start = p.start;
		out->len = p.end - p.start;
		out->has_time = p.has_time || p.seconds > 0;
		if (h && now > 0 && place(&p, h, now, &out->at))
			out->at = 0;
		return 1;
	}
	return 0;
}
