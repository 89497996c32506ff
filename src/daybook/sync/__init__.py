"""The sync APIs reader apps already speak: Google Reader (``greader``) and Fever
(``fever``), both signed in with app passwords and both reading and writing the
same read state, follows and saved list as the site."""
